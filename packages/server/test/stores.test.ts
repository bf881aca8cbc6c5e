import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { runSnek } from '../../cli/test/helpers/run-snek.js';
import { cleanEnv, killAllServers, runServerToExit, startServerProcess } from './helpers/server-process.js';

const TOKEN = 'stores-token';
let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir('snek-stores-');
});
afterEach(async () => {
  killAllServers();
  await dir.cleanup();
});

async function put(url: string, id: string, content: string): Promise<number> {
  const response = await fetch(`${url}/v1/sneks/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: id, type: 'kept', content }) });
  return response.status;
}

const contentOf = async (url: string, id: string) => ((await (await fetch(`${url}/v1/sneks/${id}`)).json()) as { content?: string }).content;

describe('built-in stores through .snekrc', () => {
  it('with no .snekrc, serves from ./snek-data/sneks.db, and a snek survives a restart', async () => {
    const env = cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN });
    let server = await startServerProcess({ cwd: dir.path, env });
    expect(await (await fetch(`${server.url}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()).toMatchObject({ store: 'sqlite', file: path.join(dir.path, 'snek-data/sneks.db') });
    const push = await runSnek(['push', '-', '--name', 'survivor', '--type', 'kept', '--url', server.url, '--token', TOKEN], { cwd: dir.path, env, input: 'still here\n' });
    expect([push.code, push.stdout.toString()]).toEqual([0, 'created survivor\n']);
    expect(await server.stop()).toBe(0);
    expect(existsSync(path.join(dir.path, 'snek-data/sneks.db'))).toBe(true);
    server = await startServerProcess({ cwd: dir.path, env });
    const show = await runSnek(['survivor', '--url', server.url], { cwd: dir.path, env });
    expect(show.stdout.toString()).toBe('still here\n');
    expect(await server.stop()).toBe(0);
  });

  it('store: sqlite in .snekrc puts the database beside the config file', async () => {
    await dir.write('etc/.snekrc', 'server:\n  store: sqlite\n');
    const server = await startServerProcess({ cwd: path.join(dir.path, 'etc'), env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN }) });
    expect(await (await fetch(`${server.url}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()).toMatchObject({ store: 'sqlite', file: path.join(dir.path, 'etc/snek-data/sneks.db'), journalMode: 'wal', synchronous: 'full' });
    expect(await server.stop()).toBe(0);
  });

  it('store: { use: fs, options: { dir: ./data } } keeps one file per snek in ./data, across restarts', async () => {
    await dir.write('etc/.snekrc', 'server:\n  store:\n    use: fs\n    options: { dir: ./data }\n');
    const env = cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN });
    let server = await startServerProcess({ cwd: path.join(dir.path, 'etc'), env });
    expect(await put(server.url, 'on-disk', 'plain file\n')).toBe(201);
    expect((await readdir(path.join(dir.path, 'etc/data'))).sort()).toEqual(['.snek-changes.jsonl', '.snek-seeded.json', '.snek-store.lock', 'cute.json', 'fancy.json', 'normal.json', 'on-disk.json']);
    expect(await server.stop()).toBe(0);
    server = await startServerProcess({ cwd: path.join(dir.path, 'etc'), env });
    expect(await contentOf(server.url, 'on-disk')).toBe('plain file\n');
    expect(await server.stop()).toBe(0);
  });

  it('an fs store reports corrupt records in /readyz and the log, and serves the rest', async () => {
    await dir.write('.snekrc', 'server:\n  store: { use: fs, options: { dir: data } }\n');
    await dir.write('data/broken.json', '{"id": "broken", "na');
    const server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN }) });
    expect(await (await fetch(`${server.url}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()).toMatchObject({ status: 'ready', store: 'fs', skipped: 1, skippedFiles: [{ file: path.join(dir.path, 'data/broken.json') }] });
    expect(server.output().stdout).toContain('skipped 1 unreadable records');
    expect(await contentOf(server.url, 'cute')).toBeDefined();
    expect(await server.stop()).toBe(0);
  });

  it('a second server on the same fs folder refuses to start with STORE_LOCKED', async () => {
    await dir.write('.snekrc', 'server:\n  store: { use: fs, options: { dir: data } }\n');
    const first = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path) });
    const second = await runServerToExit({ cwd: dir.path, env: cleanEnv(dir.path) });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('STORE_LOCKED');
    expect(second.stderr).toContain(path.join(dir.path, 'data'));
    expect(await first.stop()).toBe(0);
  });

  it('sqlite options that are wrong stop the server with STORE_OPTIONS_INVALID naming the key', async () => {
    await writeFile(path.join(dir.path, '.snekrc'), 'server:\n  store: { use: sqlite, options: { filename: x.db } }\n');
    const run = await runServerToExit({ cwd: dir.path, env: cleanEnv(dir.path) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('STORE_OPTIONS_INVALID');
    expect(run.stderr).toContain('filename: unknown key');
    // docs/writing-a-store.md quotes this message.
    expect(await readFile(new URL('../../../docs/writing-a-store.md', import.meta.url), 'utf8')).toContain(run.stderr.trim());
  });
});
