import { spawnSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { SnekStore } from '@snek/core';
import { sampleSnek } from '@snek/store-testkit';
import plugin, { FsSnekStore, LOCK_FILE } from '../src/index.js';
import { rejection } from '../../core/test/helpers/rejection.js';

let root: string;
let dir: string;
const open: SnekStore[] = [];
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'snek-fs-'));
  dir = path.join(root, 'data');
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  await rm(root, { recursive: true, force: true });
});

async function openStore(at = dir): Promise<FsSnekStore> {
  const store = await FsSnekStore.open(at);
  open.push(store);
  return store;
}


describe('FsSnekStore', () => {
  it('stores one JSON file per snek, named by id, beside the change journal, and leaves no temp file behind', async () => {
    const store = await openStore();
    await store.put(sampleSnek('cute'));
    expect((await readdir(dir)).sort()).toEqual(['.snek-changes.jsonl', '.snek-store.lock', 'cute.json']);
    expect(JSON.parse(await readFile(path.join(dir, 'cute.json'), 'utf8'))).toEqual(sampleSnek('cute'));
  });

  it.each(['../x', 'a/b', '..', '.', 'a\\b', '/etc/passwd', '', 'A', '.hidden', 'x'.repeat(65), 'a\u0000b', 'ok/../../x'])(
    'refuses the id %j in put, get and delete, and writes nothing outside dir',
    async (id) => {
      const store = await openStore();
      const before = await readdir(root);
      for (const call of [() => store.put(sampleSnek(id)), () => store.get(id), () => store.delete(id)]) {
        expect((await rejection(call)).code).toBe('SNEK_INVALID');
      }
      expect(await readdir(root)).toEqual(before);
      expect(await readdir(dir)).toEqual([LOCK_FILE]);
    },
  );

  it('sweeps temp files a crash left behind, and never lists them', async () => {
    let store = await openStore();
    await store.put(sampleSnek('kept'));
    await store.close();
    await writeFile(path.join(dir, '.kept.json.0badc0ffee.tmp'), '{"id":"kept","na');
    await writeFile(path.join(dir, '.new.json.123456.tmp'), '{"id":"new","name":"n","type":"t","content":"c"}');
    store = await openStore();
    expect((await store.list()).items).toEqual([sampleSnek('kept')]);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('skips and reports corrupt records, with their paths, and keeps serving the rest', async () => {
    let store = await openStore();
    await store.put(sampleSnek('good'));
    await store.close();
    await writeFile(path.join(dir, 'torn.json'), '{"id":"torn","name":"T');
    await writeFile(path.join(dir, 'liar.json'), JSON.stringify(sampleSnek('other')));
    await writeFile(path.join(dir, 'bad.json'), JSON.stringify(sampleSnek('bad', { type: 'NOT A SLUG' })));
    store = await openStore();
    expect((await store.list()).items).toEqual([sampleSnek('good')]);
    const status = await store.status();
    expect(status).toMatchObject({ records: 1, skipped: 3 });
    const files = (status['skippedFiles'] as Array<{ file: string }>).map((s) => s.file).sort();
    expect(files).toEqual(['bad.json', 'liar.json', 'torn.json'].map((name) => path.join(dir, name)));
  });

  it('refuses a second store on the same folder with STORE_LOCKED, and allows it after close', async () => {
    const first = await openStore();
    const error = await rejection(() => FsSnekStore.open(dir));
    expect(error.code).toBe('STORE_LOCKED');
    expect(error.message).toContain(dir);
    await first.close();
    await openStore();
  });

  it('takes over a pid lock file, as older versions wrote, left by a process that no longer runs', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await openStore().then((store) => store.close());
    await writeFile(path.join(dir, LOCK_FILE), `${dead.stdout}\n`);
    const store = await openStore();
    expect((await lstat(path.join(dir, LOCK_FILE))).isSocket()).toBe(true);
    await store.put(sampleSnek('after-takeover'));
  });

  it('refuses a pid lock file, as older versions wrote, of a process that runs', async () => {
    await mkdir(dir);
    await writeFile(path.join(dir, LOCK_FILE), `${process.ppid}\n`);
    const error = await rejection(() => FsSnekStore.open(dir));
    expect([error.code, error.message]).toEqual(['STORE_LOCKED', expect.stringContaining(`process ${process.ppid}`)]);
  });

  it('locks a folder whose path is too long for a socket, and removes the lock at close', async () => {
    const deep = path.join(dir, 'd'.repeat(100), 'e'.repeat(100));
    const store = await openStore(deep);
    expect((await lstat(path.join(deep, LOCK_FILE))).isSocket()).toBe(true);
    expect((await rejection(() => FsSnekStore.open(deep))).code).toBe('STORE_LOCKED');
    await store.close();
    expect(await readdir(deep)).toEqual([]);
  });
});

describe('fs store plugin', () => {
  it('resolves a relative dir from the config folder', async () => {
    const store = await plugin.create({ dir: './data' }, { configDir: root });
    open.push(store);
    await store.put(sampleSnek('here'));
    expect(await readdir(dir)).toContain('here.json');
  });

  it('rejects unknown or wrong options with STORE_OPTIONS_INVALID naming the key', async () => {
    for (const options of [{ folder: 'x' }, { dir: 5 }, { dir: '' }, 'data']) {
      const error = await rejection(() => plugin.create(options as never, { configDir: root }));
      expect(error.code).toBe('STORE_OPTIONS_INVALID');
    }
    expect((await rejection(() => plugin.create({ folder: 'x' } as never, { configDir: root }))).message).toContain('folder');
  });
});

describe('FsSnekStore browse and search after open', () => {
  // After a clean close open takes records from the journal; without the mark it reads every record file.
  it.each([['after a clean close', false], ['reading every record', true]])('orders by updated from the journal\'s seqs, and searches, %s', async (_, dropMark) => {
    const store = await openStore();
    for (const id of ['a', 'b', 'c', 'd']) await store.put({ ...sampleSnek(id), name: `Snek ${id}` });
    await store.put({ ...sampleSnek('b'), name: 'Snek b again' });
    await store.delete('c');
    await store.putMany([{ ...sampleSnek('a'), name: 'Snek a again' }, { ...sampleSnek('e'), name: 'Snek e' }]);
    const order = async (s: FsSnekStore) => (await s.browse({ sort: 'updated', limit: 10 })).items.map((item) => [item.snek.id, item.position.key]);
    const latest = Object.fromEntries((await store.latestChanges(['a', 'b', 'd', 'e'])).map((change) => [change.id, change.seq]));
    const expected = [['e', latest.e], ['a', latest.a], ['b', latest.b], ['d', latest.d]];
    expect(await order(store)).toEqual(expected);
    await store.close();
    open.splice(open.indexOf(store), 1);
    if (dropMark) await rm(path.join(dir, '.snek-clean-close.json'));
    const reopened = await openStore();
    expect(await order(reopened)).toEqual(expected);
    expect((await reopened.search({ q: 'again', limit: 10 })).items.map((item) => item.snek.id)).toEqual(['a', 'b']);
  });
});
