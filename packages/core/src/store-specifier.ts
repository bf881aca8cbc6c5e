import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve as resolveImport } from 'import-meta-resolve';
import { SnekError } from './errors.js';
import { STORE_KIND, titleOf, type PluginKind } from './plugin-kind.js';

/** How `server.store.use` is read: a path relative to the config, or package names to try in order. */
export type StoreSpecifier = { kind: 'path'; path: string } | { kind: 'package'; candidates: string[] };

export interface ResolvedStore {
  /** The candidate that was found: a package name, or the path as given. */
  specifier: string;
  /** A file URL that `import()` can load. */
  url: string;
}

export interface ResolveStoreOptions {
  configDir: string;
  /** Says where `use` came from in errors, e.g. "server.store.use in /srv/.snekrc". */
  origin: string;
  /** Module URLs whose own dependencies are searched after configDir: the server's built-in stores. */
  fallbackFrom?: readonly string[];
}

/**
 * `./x`, `../x`, `/x` and `file:` URLs are paths; `@scope/pkg` and `snek-store-*` are used as
 * written; a bare `x` is tried as `@snek/store-x`, then `snek-store-x`, then `x`.
 */
export function parseStoreSpecifier(use: string, configDir: string): StoreSpecifier {
  return parsePluginSpecifier(use, configDir, STORE_KIND);
}

/** Finds the module for `use`: first from the config's folder, then from `fallbackFrom`. */
export function resolveStoreSpecifier(use: string, options: ResolveStoreOptions): Promise<ResolvedStore> {
  return resolvePluginSpecifier(use, options, STORE_KIND);
}

/** {@link parseStoreSpecifier} for any kind of plugin: the kind's noun is the name prefix (`@snek/pack-x`, `snek-pack-x`). */
export function parsePluginSpecifier(use: string, configDir: string, kind: PluginKind): StoreSpecifier {
  if (use.startsWith('file:')) return { kind: 'path', path: fileURLToPath(use) };
  if (/^\.{1,2}\//.test(use) || path.isAbsolute(use)) return { kind: 'path', path: path.resolve(configDir, use) };
  if (use.startsWith('@') || use.startsWith(`snek-${kind.noun}-`) || use.includes('/')) return { kind: 'package', candidates: [use] };
  return { kind: 'package', candidates: [`@snek/${kind.noun}-${use}`, `snek-${kind.noun}-${use}`, use] };
}

/** {@link resolveStoreSpecifier} for any kind of plugin, with that kind's error codes. */
export async function resolvePluginSpecifier(use: string, options: ResolveStoreOptions, kind: PluginKind): Promise<ResolvedStore> {
  const specifier = parsePluginSpecifier(use, options.configDir, kind);
  if (specifier.kind === 'path') return { specifier: use, url: await resolvePath(use, specifier.path, options.origin, kind) };
  // A file inside configDir as the parent makes node_modules lookup start in configDir.
  const parents = [pathToFileURL(path.join(options.configDir, 'noop.js')).href, ...(options.fallbackFrom ?? [])];
  for (const candidate of specifier.candidates) {
    for (const parent of parents) {
      const url = tryResolve(candidate, parent, kind);
      if (url) return { specifier: candidate, url };
    }
  }
  const fromDirs = parents.map((p) => path.dirname(fileURLToPath(p)));
  const hint = specifier.candidates.length > 1 ? specifier.candidates[1] : specifier.candidates[0];
  throw new SnekError(
    kind.notFound,
    `${titleOf(kind)} "${use}" (${options.origin}) is not installed. Tried ${specifier.candidates.join(', ')} from ${fromDirs.join(' and ')}. Check the spelling, or install it in ${options.configDir}: npm install ${hint}`,
    { details: { use, candidates: specifier.candidates, resolvedFrom: fromDirs } },
  );
}

function tryResolve(candidate: string, parent: string, kind: PluginKind): string | undefined {
  try {
    return resolveImport(candidate, parent);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    // "Cannot find package" means absent; any other failure means found but broken, which must not be hidden.
    if (code === 'ERR_MODULE_NOT_FOUND' && message.includes('Cannot find package')) return undefined;
    throw new SnekError(kind.invalidExport, `${titleOf(kind)} package "${candidate}" was found but its entry point cannot be loaded: ${message}. Check its package.json "exports" or "main", or reinstall it.`, { cause: error });
  }
}

async function resolvePath(use: string, absolute: string, origin: string, kind: PluginKind): Promise<string> {
  const info = await stat(absolute).catch(() => undefined);
  if (!info) {
    throw new SnekError(kind.notFound, `${titleOf(kind)} "${use}" (${origin}) points to ${absolute}, which does not exist. Fix the path; it is relative to the config file's folder.`, {
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
