import { isUtf8 } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SnekError } from './errors.js';
import { SUPPORTED_PACK_API_VERSIONS } from './pack.js';
import { PACK_KIND } from './plugin-kind.js';
import { snekNameSchema, snekSchema, type Snek } from './snek.js';
import { describeExports, importPluginModule } from './store-loader.js';
import { parsePluginSpecifier, resolvePluginSpecifier, type StoreSpecifier } from './store-specifier.js';

export interface LoadPackOptions {
  /** One entry of `server.packs`, or the name given to `snek-server import --pack`. */
  use: string;
  configDir: string;
  /** Says where `use` came from in errors, e.g. "server.packs[1] in /srv/.snekrc". */
  origin: string;
  /** Module URLs whose dependencies are the fallback, normally `import.meta.url` of the server (where `classic` is). */
  fallbackFrom?: readonly string[];
}

/** A pack read and checked: every snek whole, its art read from its file if it had one. */
export interface LoadedPack {
  /** As written in `.snekrc`. */
  use: string;
  /** The pack's own `name`. */
  name: string;
  /** The `version` of its package.json, or null when it has none. */
  version: string | null;
  /** The package name or path that was found. */
  specifier: string;
  sneks: Snek[];
}

const packSnekSchema = z.strictObject({
  id: z.unknown(),
  name: z.unknown(),
  type: z.unknown(),
  content: z.unknown().optional(),
  file: z.string().min(1, 'must not be empty').optional(),
});

/** Resolves, imports and checks the pack named by `use`: a name as for stores (`x` is `@snek/pack-x`, `snek-pack-x`, `x`) or a path. */
export async function loadPack(options: LoadPackOptions): Promise<LoadedPack> {
  const resolved = await resolvePluginSpecifier(options.use, { configDir: options.configDir, origin: options.origin, fallbackFrom: options.fallbackFrom ?? [] }, PACK_KIND);
  const module = await importPluginModule(resolved, PACK_KIND);
  const where = `Pack "${options.use}" (${options.origin})`;
  const pack = validatePackExport(module, where);
  const root = await packRoot(options.use, options.configDir, resolved);
  const sneks: Snek[] = [];
  const seen = new Map<string, number>();
  for (const [index, entry] of pack.sneks.entries()) {
    const snek = await readPackSnek(entry, index, root.dir, where);
    const earlier = seen.get(snek.id);
    if (earlier !== undefined) throw packInvalid(where, index, snek.id, 'id', `repeats the id of snek #${earlier}; ids must be unique in a pack`);
    seen.set(snek.id, index);
    sneks.push(snek);
  }
  return { use: options.use, name: pack.name, version: root.version, specifier: resolved.specifier, sneks };
}

/** Loads every pack in order; two packs that give the same id stop the load with PACK_CONFLICT. */
export async function loadPacks(uses: readonly string[], options: Omit<LoadPackOptions, 'use' | 'origin'> & { configFile: string | null }): Promise<LoadedPack[]> {
  const packs: LoadedPack[] = [];
  const owner = new Map<string, LoadedPack>();
  for (const [index, use] of uses.entries()) {
    const origin = `server.packs[${index}]${options.configFile ? ` in ${options.configFile}` : ''}`;
    const pack = await loadPack({ ...options, use, origin });
    for (const snek of pack.sneks) {
      const other = owner.get(snek.id);
      if (other) {
        throw new SnekError('PACK_CONFLICT', `Packs "${other.use}" and "${use}" (${origin}) both give a snek "${snek.id}". Remove one of them from server.packs, or ask a pack's author to rename the snek.`, {
          details: { id: snek.id, packs: [other.use, use] },
        });
      }
      owner.set(snek.id, pack);
    }
    packs.push(pack);
  }
  return packs;
}

/** The default export must be definePack({ apiVersion: 1, name, sneks }). */
function validatePackExport(module: Record<string, unknown>, where: string): { name: string; sneks: unknown[] } {
  let pack = module['default'] as Record<string, unknown> | undefined;
  // CommonJS compiled from ESM puts the pack at module.exports.default.
  if (pack && typeof pack === 'object' && !('apiVersion' in pack) && typeof pack['default'] === 'object') pack = pack['default'] as Record<string, unknown>;
  if (!pack || typeof pack !== 'object' || !('apiVersion' in pack) || !Array.isArray(pack['sneks'])) {
    throw new SnekError('PACK_INVALID_EXPORT', `${where} has no valid default export: it exports ${describeExports(module)}. Its default export must be definePack({ apiVersion: 1, name, sneks }).`, {
      details: { exports: Object.keys(module) },
    });
  }
  if (!(SUPPORTED_PACK_API_VERSIONS as readonly unknown[]).includes(pack['apiVersion'])) {
    throw new SnekError('PACK_API_VERSION', `${where} declares apiVersion ${JSON.stringify(pack['apiVersion'])}, but this server supports ${SUPPORTED_PACK_API_VERSIONS.join(', ')}. Install a version of the pack built for API ${SUPPORTED_PACK_API_VERSIONS.at(-1)}, or upgrade @snek/server.`, {
      details: { declared: pack['apiVersion'], supported: [...SUPPORTED_PACK_API_VERSIONS] },
    });
  }
  const name = snekNameSchema.safeParse(pack['name']);
  if (!name.success) throw new SnekError('PACK_INVALID', `${where}: its name ${name.error.issues[0]?.message ?? 'is not valid'} (a string of 1–100 characters). Fix the pack's name.`, { details: { field: 'name' } });
  return { name: name.data, sneks: pack['sneks'] as unknown[] };
}

/** One snek, checked as a PUT body is; a `file` is read from inside the pack's folder. */
async function readPackSnek(entry: unknown, index: number, root: string, where: string): Promise<Snek> {
  const shape = packSnekSchema.safeParse(entry);
  const idOf = (value: unknown) => (typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string' ? (value as { id: string }).id : undefined);
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    throw packInvalid(where, index, idOf(entry), issue.path.join('.') || '(the snek)', issue.code === 'unrecognized_keys' ? `has unknown keys ${issue.keys.join(', ')}: a snek is { id, name, type, content } or { id, name, type, file }` : issue.message);
  }
  const { id, name, type, content, file } = shape.data;
  if ((content === undefined) === (file === undefined)) throw packInvalid(where, index, idOf(entry), 'content', 'give exactly one of content and file');
  const art = file === undefined ? content : await readArt(file, root, (reason) => packInvalid(where, index, idOf(entry), 'file', reason));
  const parsed = snekSchema.safeParse({ id, name, type, content: art });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw packInvalid(where, index, idOf(entry), field === 'content' && file !== undefined ? `content (from ${file})` : field, issue.message);
  }
  return parsed.data;
}

async function readArt(file: string, root: string, fail: (reason: string) => SnekError): Promise<string> {
  const absolute = path.resolve(root, file);
  const relative = path.relative(root, absolute);
  if (path.isAbsolute(file) || relative.startsWith('..') || path.isAbsolute(relative)) throw fail(`"${file}" is outside the pack's folder ${root}; give a path inside it`);
  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? `${absolute} does not exist; check the path, relative to the pack's folder, and that the package's "files" ships it` : `${absolute} cannot be read (${code ?? (error as Error).message})`);
  }
  if (!isUtf8(bytes)) throw fail(`${absolute} is not UTF-8; save the art as UTF-8`);
  return bytes.toString('utf8');
}

function packInvalid(where: string, index: number, id: string | undefined, field: string, reason: string): SnekError {
  const snek = `snek #${index}${id === undefined ? '' : ` "${id}"`}`;
  return new SnekError('PACK_INVALID', `${where}: ${snek}, field ${field}: ${reason}. Fix the pack, or remove it from server.packs.`, {
    details: { snek: index, ...(id === undefined ? {} : { id }), field, reason },
  });
}

/** The folder a pack's `file`s are relative to, and its package version. */
async function packRoot(use: string, configDir: string, resolved: { specifier: string; url: string }): Promise<{ dir: string; version: string | null }> {
  const parsed = parsePackSpecifier(use, configDir);
  if (parsed.kind === 'path') {
    const isDir = (await stat(parsed.path)).isDirectory();
    const dir = isDir ? parsed.path : path.dirname(parsed.path);
    return { dir, version: isDir ? await versionIn(dir) : null };
  }
  // An installed package: walk up from its entry point to the package.json that names it.
  for (let dir = path.dirname(fileURLToPath(resolved.url)); ; dir = path.dirname(dir)) {
    const manifest = await readManifest(dir);
    if (manifest?.name === resolved.specifier) return { dir, version: typeof manifest.version === 'string' ? manifest.version : null };
    if (path.dirname(dir) === dir) return { dir: path.dirname(fileURLToPath(resolved.url)), version: null };
  }
}

async function versionIn(dir: string): Promise<string | null> {
  const version = (await readManifest(dir))?.version;
  return typeof version === 'string' ? version : null;
}

async function readManifest(dir: string): Promise<{ name?: unknown; version?: unknown } | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return undefined;
  }
}

/** How an entry of `server.packs` is read: as a store's `use`, with `pack` in place of `store` (`x` is `@snek/pack-x`, `snek-pack-x`, `x`). */
export function parsePackSpecifier(use: string, configDir: string): StoreSpecifier {
  return parsePluginSpecifier(use, configDir, PACK_KIND);
}
