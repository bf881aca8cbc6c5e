import path from 'node:path';
import type { ScaffoldResult } from './scaffold.js';

export type PackageManager = 'npm' | 'pnpm';

/** The manager that ran us (`npm create` or `pnpm create`), from the user agent both set. */
export function packageManagerFrom(env: NodeJS.ProcessEnv): PackageManager {
  return env['npm_config_user_agent']?.startsWith('pnpm/') ? 'pnpm' : 'npm';
}

const quote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`);

/** What to do after the scaffold, printed on success; the generated README says the same at length. */
export function nextSteps(result: ScaffoldResult, cwd: string, manager: PackageManager): string {
  const { names } = result;
  const add = manager === 'pnpm' ? 'pnpm add' : 'npm install';
  return `Created ${names.packageName} in ${result.folder}

Next steps:
  cd ${quote(path.relative(cwd, result.folder) || '.')}
  ${manager} install
  ${manager} test              # runs the @snek/store-testkit conformance kit
  ${manager} publish --registry <your registry URL>   # prepack builds dist/ first

Then, in the folder that holds .snekrc, next to @snek/server:
  ${add} ${names.packageName}
and name it in .snekrc:
  server:
    store: ${names.snekrcUse}
`;
}
