import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { BUILT_IN_STORES, dropBuiltInStoreData } from './helpers/store-configs.js';
import { cleanEnv, killAllServers, runServerToExit, startServerProcess } from './helpers/server-process.js';

// `snek-server import` through each built-in store's own write path, then served by a real server.
const STORES: Record<string, string> = BUILT_IN_STORES;

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('snek-import-');
  const lines = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ name: `Snek ${i}`, type: ['cute', 'fancy'][i % 2], content: `${'~'.repeat((i % 40) + 1)}<\n` }));
  lines.splice(10, 0, 'not json', JSON.stringify({ name: 'Bad', type: 'NOT A SLUG', content: 'x' }), '', JSON.stringify(['an', 'array']));
  await dir.write('input/sneks.jsonl', `${lines.join('\n')}\n`);
  await dir.write('input/art/Tiny Snek.txt', '~<\n');
  await dir.write('input/art/escape.txt', 'red \u001b[31m\n');
});
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
  await dropBuiltInStoreData();
});

describe.each(Object.keys(STORES))('snek-server import into the %s store', (store) => {
  it('imports JSON lines, reports each skipped line with its reason, and the server serves the result', async () => {
    const home = path.join(dir.path, store);
    await dir.write(`${store}/.snekrc`, STORES[store]!);
    const env = cleanEnv(home);
    const run = await runServerToExit({ cwd: home, env, args: ['import', path.join(dir.path, 'input/sneks.jsonl')] });
    // 3: imported, but some lines were skipped.
    expect([run.code, run.stderr]).toEqual([3, '']);
    expect(run.stdout).toMatch(new RegExp(`^imported 2500 sneks \\(2500 new\\) into the ${store} store in [\\d.]+ s \\(\\d+/s\\); skipped 3\\n`));
    expect(run.stdout).toContain('sneks.jsonl:11: not JSON');
    expect(run.stdout).toContain('sneks.jsonl:12: type: must be a slug');
    expect(run.stdout).toContain('sneks.jsonl:14: not a JSON object');
    const art = await runServerToExit({ cwd: home, env, args: ['import', path.join(dir.path, 'input/art'), '--type', 'files'] });
    expect(art.stdout).toMatch(/^imported 1 snek \(1 new\).*skipped 1\n.*escape\.txt: content: must not contain control characters/s);
    expect(art.code).toBe(3);
    if (store === 'memory') return;
    // Again: every snek exists now, so all are kept unless --overwrite; a record of a new id is still created.
    await dir.write(`${store}-again.jsonl`, [JSON.stringify({ id: 'snek-0', name: 'Snek 0', type: 'cute', content: 'changed\n' }), JSON.stringify({ id: 'snek-1', name: 'Snek 1', type: 'fancy', content: 'changed\n' }), JSON.stringify({ name: 'Brand New', type: 'files', content: 'new\n' })].join('\n'));
    const again = await runServerToExit({ cwd: home, env, args: ['import', path.join(dir.path, `${store}-again.jsonl`)] });
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(again.stdout).toMatch(/^imported 1 snek \(1 new\) into .*, kept 2 sneks that already exist \(pass --overwrite to replace them\); skipped 0\n/);
    const once = await runServerToExit({ cwd: home, env, args: ['import', path.join(dir.path, 'input/art'), '--type', 'files'] });
    expect(once.stdout).toMatch(/^imported 0 sneks \(0 new\) into .*, kept 1 snek that already exists \(pass --overwrite to replace it\); skipped 1\n/);
    const overwrite = await runServerToExit({ cwd: home, env, args: ['import', '--overwrite', path.join(dir.path, `${store}-again.jsonl`)] });
    expect(overwrite.stdout).toMatch(/^imported 3 sneks \(0 new\) into the \w+ store in [\d.]+ s \(\d+\/s\); skipped 0\n/);
    expect(overwrite.code).toBe(0);
    const server = await startServerProcess({ cwd: home, env });
    const { types } = (await (await fetch(`${server.url}/v1/types`)).json()) as { types: Array<{ type: string; count: number }> };
    expect(types).toEqual(expect.arrayContaining([{ type: 'cute', count: 1251 }, { type: 'fancy', count: 1251 }, { type: 'files', count: 2 }]));
    expect(((await (await fetch(`${server.url}/v1/sneks/snek-0`)).json()) as { content: string }).content).toBe('changed\n');
    expect(((await (await fetch(`${server.url}/v1/sneks/tiny-snek`)).json()) as { name: string }).name).toBe('Tiny Snek');
    expect(await server.stop()).toBe(0);
  });
});

describe('snek-server --import, the way to fill a memory store', () => {
  it('loads the file before listening, logs what it skipped, and serves the sneks', async () => {
    const home = path.join(dir.path, 'serve-import');
    await dir.write('serve-import/.snekrc', 'server:\n  store: memory\n');
    const server = await startServerProcess({ cwd: home, env: cleanEnv(home), args: ['--import', path.join(dir.path, 'input/sneks.jsonl')] });
    const { types } = (await (await fetch(`${server.url}/v1/types`)).json()) as { types: Array<{ type: string; count: number }> };
    // 1,250 of each type imported, plus the three built-in sneks.
    expect(types).toEqual([{ type: 'cute', count: 1251 }, { type: 'fancy', count: 1251 }, { type: 'normal', count: 1 }]);
    expect(((await (await fetch(`${server.url}/v1/sneks/snek-7`)).json()) as { name: string }).name).toBe('Snek 7');
    expect(server.output().stdout).toContain('"msg":"imported 2500 sneks (2500 new)');
    expect(server.output().stdout).toContain('"msg":"skipped 3 records that are not valid sneks"');
    expect(await server.stop()).toBe(0);
  });

  it('refuses a source that does not exist, saying what to give instead', async () => {
    const home = path.join(dir.path, 'serve-import');
    const run = await runServerToExit({ cwd: home, env: cleanEnv(home), args: ['--import', 'nope.jsonl'] });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('snek-server: USAGE: The import source nope.jsonl does not exist. Give a .jsonl file or a folder of art files.\n');
  });
});
