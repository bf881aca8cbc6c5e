import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** cosmiconfig's search places for "snek", in its order (a test keeps this list equal to cosmiconfig's). */
export const SEARCH_PLACES = [
  'package.json',
  ...['.snekrc', '.snekrc.json', '.snekrc.yaml', '.snekrc.yml', '.snekrc.js', '.snekrc.ts', '.snekrc.cjs', '.snekrc.mjs'],
  ...['.config/snekrc', '.config/snekrc.json', '.config/snekrc.yaml', '.config/snekrc.yml', '.config/snekrc.js', '.config/snekrc.ts', '.config/snekrc.cjs', '.config/snekrc.mjs'],
  ...['snek.config.js', 'snek.config.ts', 'snek.config.cjs', 'snek.config.mjs'],
];
export const GLOBAL_PLACES = ['config', 'config.json', 'config.yaml', 'config.yml', 'config.js', 'config.ts', 'config.cjs', 'config.mjs'];

/** The client settings of a config the fast path can read, or undefined when the full path must decide. */
export type FastClientConfig = { url?: string; token?: string } | undefined;

/** Finds the config as loadConfig would; reads only plain client settings from JSON or YAML. */
export async function readFastConfig(explicit: string | undefined, cwd: string): Promise<FastClientConfig> {
  const file = explicit ? path.resolve(cwd, explicit) : findConfig(cwd);
  if (file === false) return undefined;
  if (!file) return {};
  if (!existsSync(file)) return undefined;
  const ext = path.extname(file);
  const text = readFileSync(file, 'utf8');
  let value: unknown;
  try {
    if (path.basename(file) === 'package.json') value = (JSON.parse(text) as Record<string, unknown>)['snek'];
    else if (ext === '.json') value = JSON.parse(text);
    else if (ext === '' || ext === '.yaml' || ext === '.yml') value = text.trim() ? (await import('js-yaml')).load(text) : {};
    else return undefined;
  } catch {
    return undefined;
  }
  return plainClient(value ?? {});
}

/** The config file, undefined when there is none, or false when only the full path can tell. */
function findConfig(cwd: string): string | undefined | false {
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    for (const place of SEARCH_PLACES) {
      const file = path.join(dir, place);
      if (!existsSync(file)) continue;
      // cosmiconfig takes package.json only when it has a top-level "snek" key; unreadable, the full path decides.
      if (place === 'package.json') {
        const snek = packageSnekKey(file);
        if (snek === 'absent') continue;
        if (snek === 'unreadable') return false;
      }
      return file;
    }
    if (path.dirname(dir) === dir) break;
  }
  const globalDir = path.join(process.env['XDG_CONFIG_HOME'] || path.join(homedir(), '.config'), 'snek');
  return GLOBAL_PLACES.map((place) => path.join(globalDir, place)).find((file) => existsSync(file));
}

function packageSnekKey(file: string): 'present' | 'absent' | 'unreadable' {
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof manifest === 'object' && manifest !== null && Object.hasOwn(manifest, 'snek') ? 'present' : 'absent';
  } catch {
    return 'unreadable';
  }
}

// A server section, or anything unusual, goes to the full path, which validates all of it and explains errors.
function plainClient(value: unknown): FastClientConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { client, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).some((key) => key !== '$schema')) return undefined;
  if (client === undefined) return {};
  if (typeof client !== 'object' || client === null) return undefined;
  const entries = Object.entries(client);
  if (entries.some(([key, v]) => !['url', 'token'].includes(key) || typeof v !== 'string')) return undefined;
  return client as { url?: string; token?: string };
}
