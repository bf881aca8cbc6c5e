import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve as resolveImport } from 'import-meta-resolve';
import { SnekError } from './errors.js';
import { titleOf, type PluginKind } from './plugin-kind.js';

/** How a `use` is read: a path relative to the config, or package names to try in order. */
export type PluginSpecifier = { from: 'path'; path: string } | { from: 'package'; candidates: string[] };

/** Where a plugin was found. */
export interface FoundPlugin {
  /** The candidate that was found: a package name, or the path as given. */
  specifier: string;
  /** A file URL that `import()` can load. */
  url: string;
  /** For a path: the absolute file or folder it names. */
  path?: string;
}

export interface ResolveOptions {
  configDir: string;
  /** Says where `use` came from in errors, e.g. "server.store.use in /srv/.snekrc". */
  origin: string;
  /** Module URLs whose own dependencies are searched after configDir: the server's built-in plugins. */
  fallbackFrom?: readonly string[] | undefined;
}

type KindNames = Pick<PluginKind<unknown>, 'prefix' | 'noun' | 'codes'>;

/**
 * `./x`, `../x`, `/x` and `file:` URLs are paths; `@scope/pkg`, `a/b` and `snek-<prefix>-*` are used as written; a
 * bare `x` is tried as `@snek/<prefix>-x`, then `snek-<prefix>-x`, then `x`.
 */
export function parsePluginSpecifier(use: string, configDir: string, kind: Pick<PluginKind<unknown>, 'prefix'>): PluginSpecifier {
  if (use.startsWith('file:')) return { from: 'path', path: fileURLToPath(use) };
  if (/^\.{1,2}\//.test(use) || path.isAbsolute(use)) return { from: 'path', path: path.resolve(configDir, use) };
  if (use.startsWith('@') || use.startsWith(`snek-${kind.prefix}-`) || use.includes('/')) return { from: 'package', candidates: [use] };
  return { from: 'package', candidates: [`@snek/${kind.prefix}-${use}`, `snek-${kind.prefix}-${use}`, use] };
}

/** Finds the module for `use`: first from the config's folder (and its parents, as Node does), then from `fallbackFrom`. */
export async function resolvePlugin(kind: KindNames, use: string, options: ResolveOptions): Promise<FoundPlugin> {
  const specifier = parsePluginSpecifier(use, options.configDir, kind);
  if (specifier.from === 'path') return { specifier: use, url: await resolvePath(kind, use, specifier.path, options.origin), path: specifier.path };
  // A file inside configDir as the parent makes node_modules lookup start in configDir.
  const parents = [pathToFileURL(path.join(options.configDir, 'noop.js')).href, ...(options.fallbackFrom ?? [])];
  for (const candidate of specifier.candidates) {
    for (const parent of parents) {
      const url = tryResolve(kind, candidate, parent);
      if (url) return { specifier: candidate, url };
    }
  }
  const fromDirs = parents.map((p) => path.dirname(fileURLToPath(p)));
  const hint = specifier.candidates.length > 1 ? specifier.candidates[1] : specifier.candidates[0];
  throw new SnekError(
    kind.codes.notFound,
    `${titleOf(kind)} "${use}" (${options.origin}) is not installed. Tried ${specifier.candidates.join(', ')} from ${fromDirs.join(' and ')}. Check the spelling, or install it in ${options.configDir}: npm install ${hint}`,
    { details: { use, candidates: specifier.candidates, resolvedFrom: fromDirs } },
  );
}

function tryResolve(kind: KindNames, candidate: string, parent: string): string | undefined {
  try {
    return resolveImport(candidate, parent);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    // "Cannot find package" means absent; any other failure means found but broken, which must not be hidden.
    if (code === 'ERR_MODULE_NOT_FOUND' && message.includes('Cannot find package')) return undefined;
    throw new SnekError(kind.codes.invalidExport, `${titleOf(kind)} package "${candidate}" was found but its entry point cannot be loaded: ${message}. Check its package.json "exports" or "main", or reinstall it.`, { cause: error });
  }
}

async function resolvePath(kind: KindNames, use: string, absolute: string, origin: string): Promise<string> {
  const info = await stat(absolute).catch(() => undefined);
  if (!info) {
    throw new SnekError(kind.codes.notFound, `${titleOf(kind)} "${use}" (${origin}) points to ${absolute}, which does not exist. Fix the path; it is relative to the config file's folder.`, {
      details: { use, candidates: [absolute] },
    });
  }
  if (!info.isDirectory()) return pathToFileURL(absolute).href;
  // A package folder: its own "exports" (through a self-reference) or "main".
  const manifestPath = path.join(absolute, 'package.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8').catch(() => '{}')) as { name?: string; exports?: unknown; main?: string };
  if (manifest.name && manifest.exports) return resolveImport(manifest.name, pathToFileURL(manifestPath).href);
  return pathToFileURL(path.join(absolute, manifest.main ?? 'index.js')).href;
}
