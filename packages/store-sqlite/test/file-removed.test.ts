import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess } from '../../server/test/helpers/server-process.js';
import { sampleSnek } from '@snek/store-testkit';
import { SqliteSnekStore } from '../src/index.js';
import { rejection } from '../../core/test/helpers/rejection.js';

// A real snek-server on the default sqlite store, whose file an operator (or a cleanup job) removes while it serves.
const TOKEN = 'file-removed-token';
const SUFFIXES = ['', '-wal', '-shm'];

let dir: TempDir;
let db: string;
beforeEach(async () => {
  dir = await tempDir('snek-sqlite-removed-');
  db = path.join(dir.path, 'snek-data/sneks.db');
});
afterEach(async () => {
  killAllServers();
  await dir.cleanup();
});

const env = () => cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN });

async function put(url: string, id: string): Promise<number> {
  const body = JSON.stringify({ name: id, type: 'kept', content: `${id}\n` });
  return (await fetch(`${url}/v1/sneks/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body })).status;
}

async function problem(url: string): Promise<{ status: number; code?: string; detail?: string }> {
  const response = await fetch(url);
  const body = (await response.json()) as { code?: string; detail?: string };
  return { status: response.status, code: body.code, detail: body.detail };
}

/** What the store answers once its file is no longer the one it opened. */
async function expectOutage(url: string): Promise<void> {
  expect(await put(url, 'after-removal')).toBe(503);
  const get = await problem(`${url}/v1/sneks/before-removal`);
  expect(get).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
  expect(get.detail).toContain(db);
  expect((await fetch(`${url}/readyz`)).status).toBe(503);
  expect((await fetch(`${url}/v1/sneks`)).status).toBe(503);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
}

describe('the sqlite file removed while the server runs', () => {
  it('rm of sneks.db, -wal and -shm: readyz, PUT and GET answer 503, healthz 200; nothing acknowledged is lost, nothing refused is kept', async () => {
    let server = await startServerProcess({ cwd: dir.path, env: env() });
    expect(await put(server.url, 'before-removal')).toBe(201);
    // The operator's backup, taken before the removal: it holds every acknowledged write.
    await mkdir(path.join(dir.path, 'backup'));
    for (const suffix of SUFFIXES) await copyFile(db + suffix, path.join(dir.path, 'backup', `sneks.db${suffix}`));
    for (const suffix of SUFFIXES) await rm(db + suffix);

    await expectOutage(server.url);
    expect(await server.stop()).toBe(0);

    // Started with the files gone, it is a fresh store: the refused PUT went nowhere.
    server = await startServerProcess({ cwd: dir.path, env: env() });
    expect((await fetch(`${server.url}/v1/sneks/after-removal`)).status).toBe(404);
    expect(await server.stop()).toBe(0);

    // Restored from the backup, it serves what was acknowledged before the removal, and still not the refused PUT.
    for (const suffix of SUFFIXES) await rm(db + suffix, { force: true });
    await copyFile(path.join(dir.path, 'backup/sneks.db'), db);
    await copyFile(path.join(dir.path, 'backup/sneks.db-wal'), `${db}-wal`);
    server = await startServerProcess({ cwd: dir.path, env: env() });
    expect((await fetch(`${server.url}/v1/sneks/before-removal`)).status).toBe(200);
    expect((await fetch(`${server.url}/v1/sneks/after-removal`)).status).toBe(404);
    expect(await server.stop()).toBe(0);
  });

  it('another file renamed over sneks.db counts as removed: 503 until a restart opens the new one', async () => {
    let server = await startServerProcess({ cwd: dir.path, env: env() });
    expect(await put(server.url, 'before-removal')).toBe(201);
    await copyFile(db, `${db}.other`);
    await rename(`${db}.other`, db);

    await expectOutage(server.url);
    expect(await server.stop()).toBe(0);
    server = await startServerProcess({ cwd: dir.path, env: env() });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(await server.stop()).toBe(0);
  });
});

describe('SqliteSnekStore with its file removed', () => {
  it.each([
    ['sneks.db, -wal and -shm removed', async () => Promise.all(SUFFIXES.map((suffix) => rm(db + suffix)))],
    ['only the -wal removed', () => rm(`${db}-wal`)],
    ['the -wal renamed over by a copy', async () => { await copyFile(`${db}-wal`, `${db}-wal.copy`); await rename(`${db}-wal.copy`, `${db}-wal`); }],
    ['only the -shm removed, which would split two servers on one file from their shared WAL index', () => rm(`${db}-shm`)],
  ])('%s: every method fails with STORE_UNAVAILABLE naming the file, and close still works', async (_, remove) => {
    const store = await SqliteSnekStore.open(db);
    try {
      await store.put(sampleSnek('kept'));
      await remove();
      const calls = [() => store.put(sampleSnek('late')), () => store.putMany([sampleSnek('late')]), () => store.delete('kept'), () => store.get('kept'), () => store.list(), () => store.countTypes(), () => store.seeded(['kept']), () => store.recordSeeded(['late']), () => store.status()];
      for (const call of calls) {
        const error = await rejection(call);
        expect([error.code, error.message]).toEqual(['STORE_UNAVAILABLE', expect.stringContaining(db)]);
      }
    } finally {
      await store.close();
    }
  });
});
