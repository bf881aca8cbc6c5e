import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { PACK_KIND, SnekError, loadPack, loadPacks } from '../src/index.js';
import { parsePluginSpecifier } from '../src/plugin-resolve.js';
import { configSitePerTest, type TempDir } from './helpers/temp-dir.js';

// The server's own folder: its dependencies are where the classic pack is found.
const SERVER = new URL('../../server/package.json', import.meta.url).href;

let dir: TempDir;
let configDir: string;
configSitePerTest((site) => ({ dir, configDir } = site));

const load = (use: string) => loadPack({ use, configDir, origin: 'server.packs[0] in /etc/.snekrc', fallbackFrom: [SERVER] });

async function loadError(use: string): Promise<SnekError> {
  const error = await load(use).then(() => undefined, (e: unknown) => e);
  if (!SnekError.is(error)) throw new Error(`expected a SnekError, got ${String(error)}`);
  return error;
}

/** A pack folder under etc/ whose index.mjs default-exports `pack` (source text). */
async function writePack(folder: string, pack: string, files: Record<string, string | Buffer> = {}, manifest: object | null = { name: folder, version: '2.3.4' }): Promise<void> {
  if (manifest) await dir.write(`etc/${folder}/package.json`, JSON.stringify({ ...manifest, type: 'module', main: 'index.mjs' }));
  await dir.write(`etc/${folder}/index.mjs`, `export default ${pack};\n`);
  for (const [name, content] of Object.entries(files)) await dir.write(`etc/${folder}/${name}`, content as string);
}

const oneSnek = (snek: object) => JSON.stringify({ apiVersion: 1, name: 'p', sneks: [snek] });

describe('parsePluginSpecifier(use, configDir, PACK_KIND)', () => {
  it.each([
    ['classic', ['@snek/pack-classic', 'snek-pack-classic', 'classic']],
    ['@acme/snek-pack-holidays', ['@acme/snek-pack-holidays']],
    ['snek-pack-holidays', ['snek-pack-holidays']],
  ])('reads %p as the packages %p, as store names are read', (use, candidates) => {
    expect(parsePluginSpecifier(use, '/etc/snek', PACK_KIND)).toEqual({ from: 'package', candidates });
  });

  it('reads ./my-pack as a path relative to the config folder', () => {
    expect(parsePluginSpecifier('./my-pack', '/etc/snek', PACK_KIND)).toEqual({ from: 'path', path: '/etc/snek/my-pack' });
  });
});

describe('loadPack', () => {
  it('loads classic by its bare name through the server fallback, with its version', async () => {
    const pack = await load('classic');
    expect([pack.name, pack.specifier, pack.sneks.map((s) => s.id)]).toEqual(['classic', '@snek/pack-classic', ['normal', 'fancy', 'cute']]);
    expect(pack.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('loads a local folder: inline content and art files relative to the folder, byte for byte', async () => {
    const art = '  __\n <__>~ \t tail  \n';
    await writePack('my-pack', JSON.stringify({ apiVersion: 1, name: 'mine', sneks: [{ id: 'a', name: 'A', type: 't', content: 'inline\n' }, { id: 'b', name: 'B', type: 't', file: 'art/b.txt' }] }), { 'art/b.txt': art });
    const pack = await load('./my-pack');
    expect(pack).toEqual({ use: './my-pack', name: 'mine', version: '2.3.4', specifier: './my-pack', sneks: [{ id: 'a', name: 'A', type: 't', content: 'inline\n' }, { id: 'b', name: 'B', type: 't', content: art }] });
  });

  it('loads a single-file pack, its files relative to its own folder, with no version', async () => {
    await dir.write('etc/art/x.txt', 'x\n');
    await dir.write('etc/one.mjs', `export default ${oneSnek({ id: 'x', name: 'X', type: 't', file: 'art/x.txt' })};\n`);
    const pack = await load('./one.mjs');
    expect([pack.version, pack.sneks[0]!.content]).toEqual([null, 'x\n']);
  });

  it('finds a pack package in the config folder and reads its files from the package root', async () => {
    const root = 'etc/node_modules/snek-pack-holidays';
    await dir.write(`${root}/package.json`, JSON.stringify({ name: 'snek-pack-holidays', version: '1.0.1', type: 'module', exports: { '.': { import: './dist/index.js' } } }));
    await dir.write(`${root}/dist/index.js`, `export default ${oneSnek({ id: 'tree', name: 'Tree', type: 'holiday', file: 'sneks/tree.txt' })};\n`);
    await dir.write(`${root}/sneks/tree.txt`, '^\n');
    const pack = await load('holidays');
    expect([pack.specifier, pack.version, pack.sneks[0]!.content]).toEqual(['snek-pack-holidays', '1.0.1', '^\n']);
  });

  it('PACK_NOT_FOUND names every candidate and where it looked', async () => {
    const error = await loadError('nope');
    expect(error.code).toBe('PACK_NOT_FOUND');
    for (const text of ['@snek/pack-nope', 'snek-pack-nope', 'server.packs[0] in /etc/.snekrc', `install it in ${configDir}`]) expect(error.message).toContain(text);
    expect((await loadError('./missing')).code).toBe('PACK_NOT_FOUND');
  });

  it('PACK_INVALID_EXPORT and PACK_API_VERSION for a module that is not a pack of a known version', async () => {
    await dir.write('etc/store.mjs', 'export const x = 1;\n');
    expect((await loadError('./store.mjs')).message).toMatch(/no valid default export: it exports x \(number\).*definePack/);
    await dir.write('etc/v2.mjs', 'export default { apiVersion: 2, name: "p", sneks: [] };\n');
    const version = await loadError('./v2.mjs');
    expect([version.code, version.details]).toEqual(['PACK_API_VERSION', { declared: 2, supported: [1] }]);
  });

  it('PACK_DEPENDENCY_MISSING when the pack is found but one of its own imports is not', async () => {
    await dir.write('etc/broken.mjs', 'import "left-pad-that-is-not-installed";\nexport default {};\n');
    expect((await loadError('./broken.mjs')).code).toBe('PACK_DEPENDENCY_MISSING');
  });

  it.each([
    ['a bad id', { id: 'Not A Slug', name: 'n', type: 't', content: 'c' }, 'id', /must be a slug/],
    ['a control character in the art', { id: 'x', name: 'n', type: 't', content: '\u001b[31mred' }, 'content', /control characters/],
    ['an unknown key', { id: 'x', name: 'n', type: 't', content: 'c', colour: 'red' }, '(the snek)', /unknown keys colour/],
    ['both content and file', { id: 'x', name: 'n', type: 't', content: 'c', file: 'f.txt' }, 'content', /exactly one of content and file/],
    ['a file outside the pack', { id: 'x', name: 'n', type: 't', file: '../.snekrc' }, 'file', /outside the pack's folder/],
    ['a missing file', { id: 'x', name: 'n', type: 't', file: 'none.txt' }, 'file', /none\.txt does not exist/],
  ])('PACK_INVALID names the snek and the field: %s', async (_case, snek, field, reason) => {
    await writePack('bad', oneSnek(snek));
    const error = await loadError('./bad');
    expect([error.code, error.details?.['snek'], error.details?.['field']]).toEqual(['PACK_INVALID', 0, field]);
    expect(error.message).toMatch(reason);
    expect(error.message).toContain('snek #0');
  });

  it('PACK_INVALID for art that is not UTF-8, and for an id repeated in the pack', async () => {
    await writePack('latin1', oneSnek({ id: 'x', name: 'n', type: 't', file: 'x.txt' }), { 'x.txt': Buffer.from([0x73, 0x6e, 0xe9, 0x6b]) });
    expect((await loadError('./latin1')).message).toMatch(/field file: .*x\.txt is not UTF-8/);
    await writePack('twice', JSON.stringify({ apiVersion: 1, name: 'p', sneks: [{ id: 'x', name: 'n', type: 't', content: 'c' }, { id: 'x', name: 'm', type: 't', content: 'd' }] }));
    expect((await loadError('./twice')).message).toMatch(/snek #1 "x", field id: repeats the id of snek #0/);
  });
});

describe('loadPacks', () => {
  it('loads in order, and two packs giving one id stop the load with PACK_CONFLICT', async () => {
    await writePack('mine', oneSnek({ id: 'cute', name: 'My cute', type: 'cute', content: 'c' }));
    const options = { configDir, configFile: '/etc/.snekrc', fallbackFrom: [SERVER] };
    expect((await loadPacks([], options))).toEqual([]);
    const error = await loadPacks(['classic', './mine'], options).then(() => undefined, (e: unknown) => e);
    expect(SnekError.hasCode(error, 'PACK_CONFLICT') && error.message).toContain('Packs "classic" and "./mine" (server.packs[1] in /etc/.snekrc) both give a snek "cute"');
  });
});
