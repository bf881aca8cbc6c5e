import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { BUILT_IN_STORES } from './helpers/store-configs.js';
import { cleanEnv, killAllServers, runServerToExit, startServerProcess, type ServerProcess } from './helpers/server-process.js';

// Packs for real: the snek-server process, a real store on files, restarts in between.
const TOKEN = 'packs-token';
const CLASSIC = new URL('../../pack-classic/', import.meta.url);
const classicArt = (id: string) => readFile(new URL(`sneks/${id}.txt`, CLASSIC), 'utf8');
const CLASSIC_VERSION = (JSON.parse(await readFile(new URL('package.json', CLASSIC), 'utf8')) as { version: string }).version;

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir('snek-packs-');
});
afterEach(async () => {
  killAllServers();
  await dir.cleanup();
});

const env = () => cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN });
const start = () => startServerProcess({ cwd: dir.path, env: env() });
const snek = async (server: ServerProcess, id: string) => {
  const response = await fetch(`${server.url}/v1/sneks/${id}`);
  return response.status === 200 ? ((await response.json()) as { name: string; content: string }) : response.status;
};
const write = (server: ServerProcess, method: 'PUT' | 'DELETE', id: string, body?: object) =>
  fetch(`${server.url}/v1/sneks/${id}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
const packs = async (server: ServerProcess) => (await (await fetch(`${server.url}/v1/packs`)).json()) as { packs: Array<Record<string, unknown>> };

describe.each(['fs', 'sqlite'] as const)('the classic pack on the %s store', (store) => {
  it('seeds a new server byte for byte; a deleted pack snek stays deleted and an edited one stays edited after a restart', async () => {
    await dir.write('.snekrc', BUILT_IN_STORES[store]);
    const first = await start();
    for (const id of ['normal', 'fancy', 'cute']) expect(await snek(first, id)).toMatchObject({ id, name: id, type: id, content: await classicArt(id) });
    expect(await packs(first)).toEqual({ packs: [{ name: 'classic', use: 'classic', version: CLASSIC_VERSION, sneks: 3, added: 3 }] });
    expect((await write(first, 'DELETE', 'cute')).status).toBe(204);
    expect((await write(first, 'PUT', 'fancy', { name: 'Fancier', type: 'fancy', content: 'edited\n' })).status).toBe(200);
    expect(await first.stop()).toBe(0);

    const second = await start();
    expect(await snek(second, 'cute')).toBe(404);
    expect(await snek(second, 'fancy')).toMatchObject({ name: 'Fancier', content: 'edited\n' });
    expect((await packs(second)).packs[0]).toMatchObject({ sneks: 3, added: 0 });
    expect(await second.stop()).toBe(0);
  }, 120_000);
});

describe('snek-server import --pack', () => {
  it('brings a deleted pack snek back on purpose, and --overwrite restores an edited one', async () => {
    await dir.write('.snekrc', BUILT_IN_STORES.fs);
    const server = await start();
    await write(server, 'DELETE', 'cute');
    await write(server, 'PUT', 'fancy', { name: 'Fancier', type: 'fancy', content: 'edited\n' });
    expect(await server.stop()).toBe(0);

    const add = await runServerToExit({ cwd: dir.path, env: env(), args: ['import', '--pack', 'classic'] });
    expect([add.code, add.stderr]).toEqual([0, '']);
    expect(add.stdout).toBe(`pack "classic" ${CLASSIC_VERSION} into the fs store: added 1, replaced 0, kept 2\n  kept as they are: normal, fancy (--overwrite replaces them)\n`);
    const overwrite = await runServerToExit({ cwd: dir.path, env: env(), args: ['import', '--pack', 'classic', '--overwrite'] });
    expect(overwrite.stdout).toBe(`pack "classic" ${CLASSIC_VERSION} into the fs store: added 0, replaced 3, kept 0\n`);

    const after = await start();
    expect(await snek(after, 'cute')).toMatchObject({ content: await classicArt('cute') });
    expect(await snek(after, 'fancy')).toMatchObject({ name: 'fancy', content: await classicArt('fancy') });
    expect(await after.stop()).toBe(0);
  }, 120_000);

  it('is a usage error (exit 2) with neither a source nor --pack, and a PACK_NOT_FOUND (exit 1) for a pack that is not installed', async () => {
    await dir.write('.snekrc', BUILT_IN_STORES.fs);
    const neither = await runServerToExit({ cwd: dir.path, env: env(), args: ['import'] });
    expect([neither.code, neither.stderr]).toEqual([2, expect.stringContaining('USAGE: Give either a source to import or --pack NAME')]);
    const missing = await runServerToExit({ cwd: dir.path, env: env(), args: ['import', '--pack', 'holidays'] });
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/^snek-server: PACK_NOT_FOUND: Pack "holidays" \(--pack\) is not installed\. Tried @snek\/pack-holidays, snek-pack-holidays, holidays/)]);
  }, 60_000);
});

describe('server.packs', () => {
  it('[] starts an empty server with no packs in force', async () => {
    await dir.write('.snekrc', `${BUILT_IN_STORES.fs}  packs: []\n`);
    const server = await start();
    expect(((await (await fetch(`${server.url}/v1/sneks`)).json()) as { items: unknown[] }).items).toEqual([]);
    expect(await packs(server)).toEqual({ packs: [] });
    expect(await server.stop()).toBe(0);
  });

  it('seeds a local pack folder beside classic, its art from a file', async () => {
    await dir.write('.snekrc', `${BUILT_IN_STORES.fs}  packs: [classic, ./my-pack]\n`);
    await dir.write('my-pack/package.json', JSON.stringify({ type: 'module', main: 'index.mjs' }));
    await dir.write('my-pack/index.mjs', "export default { apiVersion: 1, name: 'mine', sneks: [{ id: 'tiny', name: 'Tiny', type: 'tiny', file: 'tiny.txt' }] };\n");
    await dir.write('my-pack/tiny.txt', '~~<\n');
    const server = await start();
    expect(await snek(server, 'tiny')).toMatchObject({ name: 'Tiny', content: '~~<\n' });
    expect((await packs(server)).packs).toEqual([expect.objectContaining({ name: 'classic', added: 3 }), { name: 'mine', use: './my-pack', version: null, sneks: 1, added: 1 }]);
    expect(await server.stop()).toBe(0);
  });

  it('a pack with an invalid snek stops the server before it listens, naming the pack, the snek and the field', async () => {
    await dir.write('.snekrc', `${BUILT_IN_STORES.fs}  packs: [./bad.mjs]\n`);
    await writeFile(path.join(dir.path, 'bad.mjs'), "export default { apiVersion: 1, name: 'bad', sneks: [{ id: 'ok', name: 'ok', type: 't', content: 'c' }, { id: 'Bad Id', name: 'b', type: 't', content: 'c' }] };\n");
    const result = await runServerToExit({ cwd: dir.path, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`PACK_INVALID: Pack "./bad.mjs" (server.packs[0] in ${path.join(dir.path, '.snekrc')}): snek #1 "Bad Id", field id: must be a slug`);
    expect(result.stdout).not.toContain('listening');
  });
});
