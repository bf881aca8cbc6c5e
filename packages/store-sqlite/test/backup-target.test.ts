import { link, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { sampleSnek } from '@snek/store-testkit';
import { SqliteSnekStore } from '../src/index.js';

let root: string;
let store: SqliteSnekStore;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'snek-sqlite-backup-'));
  store = await SqliteSnekStore.open(path.join(root, 'sneks.db'));
  await store.put(sampleSnek('a'));
});
afterEach(async () => {
  await store.close();
  await rm(root, { recursive: true, force: true });
});

describe('backupTo() of a file that is the store itself', () => {
  it('refuses the database and its -wal, -shm and -journal, by any name, with replace: true, and leaves them whole', async () => {
    const db = path.join(root, 'sneks.db');
    await writeFile(`${db}-journal`, '');
    await symlink(db, path.join(root, 'symlink.db'));
    await link(db, path.join(root, 'hardlink.db'));
    const before = (await stat(db)).size;
    const names = [db, path.join(root, '.', 'sub', '..', 'sneks.db'), `${db}-wal`, `${db}-shm`, `${db}-journal`, path.join(root, 'symlink.db'), path.join(root, 'hardlink.db')];
    for (const name of names) {
      await expect(store.backupTo(name, { replace: true })).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining("is the store's own") });
    }
    expect((await stat(db)).size).toBe(before);
    expect(await store.get('a')).toEqual(sampleSnek('a'));
    await store.put(sampleSnek('b'));
    expect((await store.list()).items.map((snek) => snek.id)).toEqual(['a', 'b']);
  });

  it('writes a new backup beside the store, readable by its owner only', async () => {
    const file = path.join(root, 'backup.db');
    await store.backupTo(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
