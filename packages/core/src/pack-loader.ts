import { isUtf8 } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SnekError } from './errors.js';
import { PACK_KIND } from './kinds/pack-kind.js';
import { loadPlugin } from './plugin-loader.js';
import type { FoundPlugin } from './plugin-resolve.js';
import { snekSchema, type Snek } from './snek.js';

export interface LoadPackOptions {
  /** One entry of `server.packs`, or the name given to `snek-server import --pack`. */
  use: string;
  configDir: string;
  /** Says where `use` came from in errors, e.g. "server.packs[1] in /srv/.snekrc". */
  origin: string;
  /** Module URLs whose dependencies are the fallback, normally `import.meta.url` of the server (where `classic` is). */
  fallbackFrom?: readonly string[] | undefined;
  /** How long its import may take (`server.storeTimeout`); default 10 s. */
  timeoutMs?: number | undefined;
  /** How to raise that limit, for the timeout message. */
  timeoutHint?: string | undefined;
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
  const { plugin: pack, found } = await loadPlugin(PACK_KIND, options.use, options);
  const where = PACK_KIND.name({ use: options.use, origin: options.origin, specifier: found.specifier });
  const root = await packRoot(found);
  const sneks: Snek[] = [];
  const seen = new Map<string, number>();
  for (const [index, entry] of pack.sneks.entries()) {
    const snek = await readPackSnek(entry, index, root.dir, where);
    const earlier = seen.get(snek.id);
    if (earlier !== undefined) throw packInvalid(where, index, snek.id, 'id', `repeats the id of snek #${earlier}; ids must be unique in a pack`);
    seen.set(snek.id, index);
    sneks.push(snek);
  }
  return { use: options.use, name: pack.name, version: root.version, specifier: found.specifier, sneks };
}

/** Loads every pack in order; two packs that give the same id stop the load with PACK_CONFLICT. */
export async function loadPacks(uses: readonly string[], options: Omit<LoadPackOptions, 'use' | 'origin' | 'timeoutHint'> & { configFile: string | null }): Promise<LoadedPack[]> {
  const packs: LoadedPack[] = [];
  const owner = new Map<string, LoadedPack>();
  for (const [index, use] of uses.entries()) {
    const where = options.configFile ? ` in ${options.configFile}` : '';
    const origin = `server.packs[${index}]${where}`;
    const pack = await loadPack({ ...options, use, origin, timeoutHint: `raise server.storeTimeout${where}` });
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
async function packRoot(resolved: FoundPlugin): Promise<{ dir: string; version: string | null }> {
  if (resolved.path !== undefined) {
    const isDir = (await stat(resolved.path)).isDirectory();
    const dir = isDir ? resolved.path : path.dirname(resolved.path);
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
