import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Change, Snek } from '@snek/core';
import { pageThrough, sampleSnek } from '@snek/store-testkit';
import type { SqliteConnection, SqliteDriverName } from '../src/driver.js';
import { SqliteSnekStore } from '../src/index.js';
import { rejection } from '../../core/test/helpers/rejection.js';
import { rawDatabase, scalar } from './helpers/raw-database.js';
import { usable } from './helpers/usable-driver.js';

const DRIVERS = ['node:sqlite', 'better-sqlite3'] as const;
const USABLE = Object.fromEntries(await Promise.all(DRIVERS.map(async (driver) => [driver, await usable(driver)] as const)));

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'snek-sqlite-bulk-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const KEEP = 2;
const loaded = (i: number): Snek => sampleSnek(`load-${String(i).padStart(5, '0')}`, { name: i % 4 ? `Loaded ${i}` : `Snek number ${i}`, type: ['cute', 'fancy', 'plain'][i % 3]!, content: `~${i}\n` });
const batch = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => loaded(from + k));

/** Writes of every kind, enough of them that a load defers its indexes; the same calls in or out of a load. */
async function writeEverything(store: SqliteSnekStore): Promise<void> {
  // New sneks only: in a load, written by load-rows.ts. The next calls meet ids the file holds, and go row by row.
  await store.putMany(batch(0, 1500), { actor: { kind: 'token', id: 'loader' } });
  await store.putMany([...batch(1500, 3000), sampleSnek('before-1', { name: 'Renamed before 1' }), sampleSnek('load-00007', { name: 'Renamed in the load', type: 'new' })]);
  // New ids, one of them twice: the INSERTs of load-rows.ts fail on the primary key, and the call goes row by row.
  await store.putMany([...batch(3000, 3100), sampleSnek('twice', { content: 'first' }), sampleSnek('twice', { content: 'second' })]);
  // Three more changes of one id than KEEP: retention drops the oldest.
  for (const content of ['a', 'b', 'c']) await store.putMany([sampleSnek('before-2', { content })]);
  expect((await store.createMany([sampleSnek('load-00008'), sampleSnek('created-late', { name: 'Snek created late' })])).created).toEqual(['created-late']);
  expect(await store.putIf(sampleSnek('before-3', { type: 'retyped' }), sampleSnek('before-3', { type: 'cute' }))).toEqual({ ok: true, created: false });
  await store.put(sampleSnek('put-in-load'));
  expect(await store.delete('before-4')).toBe(true);
  expect(await store.delete('load-00009')).toBe(true);
  expect(await store.deleteIf('before-5', sampleSnek('before-5', { type: 'cute' }))).toEqual({ ok: true });
  const newest = (await store.changes({ order: 'desc', limit: 1 }))[0]!.seq;
  await store.replayChanges([{ seq: newest + 5, id: 'replayed', op: 'put', snek: sampleSnek('replayed', { name: 'Snek replayed' }), actor: null, at: '2026-01-01T00:00:00.000Z' }]);
}

/** Everything a reader can see, and the schema and search index under it. */
async function everything(store: SqliteSnekStore) {
  const searches: unknown[] = [];
  for (const q of ['snek', 'loaded 12', 'numbr', 'renamed', 'cute', '7', 'before']) searches.push((await store.search({ q, limit: 100 })).items);
  const browses: unknown[] = [];
  for (const sort of ['name', 'updated', 'id'] as const) for (const type of [undefined, 'cute']) browses.push((await store.browse({ sort, limit: 500, ...(type ? { type } : {}) })).items.map(({ latest, ...item }) => ({ ...item, latest: latest && { seq: latest.seq, actor: latest.actor } })));
  const changes: Array<Omit<Change, 'at'>> = [];
  for (let page = await store.changes(); page.length > 0; page = await store.changes({ after: page.at(-1)!.seq })) changes.push(...page.map(({ at: _at, ...change }) => change));
  const db = await rawDatabase(store.file, { readonly: true });
  const file = {
    schema: db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name').all(),
    searchIndex: db.prepare('SELECT s.id, f.text FROM sneks_fts f LEFT JOIN sneks s ON s.rid = f.rowid ORDER BY s.id').all(),
    rids: db.prepare('SELECT count(DISTINCT rid) AS n FROM sneks').get(),
    typeCounts: db.prepare('SELECT type, count FROM type_counts ORDER BY type').all(),
  };
  db.close();
  return { list: await pageThrough(store, { limit: 500 }), countTypes: await store.countTypes(), searches, browses, changes, file };
}

/** Settings of the store's own connection, which no other connection can read. */
function connectionPragmas(store: SqliteSnekStore): Record<string, unknown> {
  const { db } = store as unknown as { db: SqliteConnection };
  return Object.fromEntries(['threads', 'cache_size', 'temp_store'].map((name) => [name, Object.values(db.prepare(`PRAGMA ${name}`).get()!)[0]]));
}

async function storeWithSneksBefore(name: string, driver: SqliteDriverName): Promise<SqliteSnekStore> {
  const store = await SqliteSnekStore.open(path.join(root, name, 'sneks.db'), { driver, historyKeep: KEEP });
  for (let i = 0; i < 10; i++) await store.put(sampleSnek(`before-${i}`, { type: i % 2 ? 'cute' : 'old' }));
  return store;
}

describe.each(DRIVERS)('bulkLoad() on %s', (driver) => {
  // Skipped for a driver that does not load on this Node (Node 20 has no node:sqlite).
  const test = USABLE[driver] ? it : it.skip;

  test('leaves the file as the same writes made one by one: every read, the schema, the search index, type counts and retention', async () => {
    const one = await storeWithSneksBefore('one-by-one', driver);
    await writeEverything(one);
    const loaded = await storeWithSneksBefore('loaded', driver);
    expect(await loaded.bulkLoad(async () => (await writeEverything(loaded), 'done'))).toBe('done');
    const expected = await everything(one);
    expect(expected.changes.filter((change) => change.id === 'before-2')).toHaveLength(KEEP);
    expect(await everything(loaded)).toEqual(expected);
    // The load's new sneks left their art to the sneks; the overwritten and deleted ones took theirs back (the reads
    // above are equal, art and all).
    const leftToSneks = async (store: SqliteSnekStore) => {
      const db = await rawDatabase(store.file, { readonly: true });
      const ids = db.prepare("SELECT id FROM changes WHERE op = 'put' AND content IS NULL ORDER BY seq").all().map((row) => row['id']);
      db.close();
      return ids;
    };
    expect(await leftToSneks(one)).toEqual([]);
    const writtenNew = [...batch(0, 1500).map((snek) => snek.id).filter((id) => id !== 'load-00007' && id !== 'load-00009'), 'put-in-load'];
    expect(await leftToSneks(loaded)).toEqual(writtenNew);
    // The builds' sort settings (bulk-load.ts) are the connection's own again: statement journals stay in memory.
    expect(connectionPragmas(loaded)).toEqual(connectionPragmas(one));
    expect(connectionPragmas(one)).toEqual({ threads: 0, cache_size: -65536, temp_store: 2 });
    // Kept row by row again after the load.
    for (const store of [one, loaded]) {
      await store.put(sampleSnek('after', { name: 'Snek after', type: 'late' }));
      await store.delete('load-00010');
    }
    expect(await everything(loaded)).toEqual(await everything(one));
    await one.close();
    await loaded.close();
  });

  test('a load that throws keeps none of its writes, and leaves the schema whole', async () => {
    const store = await storeWithSneksBefore('thrown', driver);
    const before = await everything(store);
    const failure = new Error('the source broke off');
    await expect(store.bulkLoad(async () => (await writeEverything(store), Promise.reject(failure)))).rejects.toBe(failure);
    expect(await everything(store)).toEqual(before);
    await store.close();
  });

  test('a write refused inside a load writes nothing, and the load goes on', async () => {
    const store = await storeWithSneksBefore('write-fails', driver);
    await store.bulkLoad(async () => {
      await store.putMany(batch(0, 2000));
      const newest = (await store.changes({ order: 'desc', limit: 1 }))[0]!;
      // A replay of a seq the store gave to another write of its own: refused as a whole.
      const conflict = { seq: newest.seq, id: 'not-that-one', op: 'put' as const, snek: sampleSnek('not-that-one'), actor: null, at: newest.at };
      const error = await rejection(() => store.replayChanges([conflict, { ...conflict, seq: newest.seq + 1, id: 'replayed-first', snek: sampleSnek('replayed-first') }]));
      expect(error.code).toBe('REPLAY_CONFLICT');
      await store.putMany(batch(2000, 2100));
    });
    expect(await store.get('replayed-first')).toBeUndefined();
    expect(await pageThrough(store, { limit: 500 })).toHaveLength(10 + 2100);
    expect(await store.countTypes()).toEqual([{ type: 'cute', count: 5 + 700 }, { type: 'fancy', count: 700 }, { type: 'old', count: 5 }, { type: 'plain', count: 700 }]);
    expect((await store.search({ q: 'loaded 2099', limit: 1 })).items.map((item) => item.snek.id)).toEqual(['load-02099']);
    await store.close();
  });

  test('retention after a load: an id with more than the kept changes is pruned, into an empty log or not', async () => {
    const history = async (store: SqliteSnekStore, id: string) => (await store.changes({ id, limit: 100 })).map((change) => change.snek?.content ?? 'deleted');
    // Into an empty log: the load's new sneks, then two more writes of one of them.
    const fresh = await SqliteSnekStore.open(path.join(root, 'fresh', 'sneks.db'), { driver, historyKeep: KEEP });
    await fresh.bulkLoad(async () => {
      await fresh.putMany(batch(0, 1500));
      for (const content of ['b\n', 'c\n']) await fresh.putMany([sampleSnek('load-00005', { content })]);
    });
    expect(await history(fresh, 'load-00005')).toEqual(['b\n', 'c\n']);
    expect(await history(fresh, 'load-00006')).toEqual(['~6\n']);
    await fresh.close();
    // Into a log that holds a deleted snek's changes: the load writes it anew, as a new snek, and it has one too many.
    const used = await SqliteSnekStore.open(path.join(root, 'used', 'sneks.db'), { driver, historyKeep: KEEP });
    await used.put(sampleSnek('gone', { content: 'a\n' }));
    await used.delete('gone');
    await used.bulkLoad(async () => {
      await used.putMany([...batch(0, 1500), sampleSnek('gone', { content: 'back\n' })]);
    });
    expect(await history(used, 'gone')).toEqual(['deleted', 'back\n']);
    await used.close();
  });

  test('another connection reads the file as before the load until it commits; its writes wait and fail with STORE_UNAVAILABLE', async () => {
    const file = path.join(root, 'shared', 'sneks.db');
    const loader = await SqliteSnekStore.open(file, { driver });
    const other = await SqliteSnekStore.open(file, { driver });
    await other.put(sampleSnek('old'));
    await loader.bulkLoad(async () => {
      await loader.putMany(batch(0, 1500));
      // Not alone on the file: the load keeps the WAL.
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect(await other.get('load-00001')).toBeUndefined();
      expect((await other.list({ limit: 10 })).items.map((snek) => snek.id)).toEqual(['old']);
      expect(await other.countTypes()).toEqual([{ type: 'plain', count: 1 }]);
      // The load holds the write lock: this waits busy_timeout (5 s), then fails having written nothing.
      const refused = await rejection(() => other.put(sampleSnek('meanwhile')));
      expect(refused.code).toBe('STORE_UNAVAILABLE');
      expect(refused.message).toContain(file);
    });
    expect(await other.get('load-00001')).toEqual(loaded(1));
    expect(await other.get('meanwhile')).toBeUndefined();
    expect((await other.search({ q: 'loaded 1499', limit: 1 })).items.map((item) => item.snek.id)).toEqual(['load-01499']);
    await other.put(sampleSnek('meanwhile'));
    expect((await loader.countTypes()).find((entry) => entry.type === 'plain')).toEqual({ type: 'plain', count: 502 });
    await loader.close();
    await other.close();
  }, 30_000);

  test('a load alone on the file writes it with a rollback journal, then the file is in WAL mode again', async () => {
    const store = await storeWithSneksBefore('alone', driver);
    const file = store.file;
    expect(existsSync(`${file}-wal`)).toBe(true);
    await store.bulkLoad(async () => {
      await store.putMany(batch(0, 1500));
      expect(existsSync(`${file}-wal`)).toBe(false);
      expect(existsSync(`${file}-journal`)).toBe(true);
      // A server that opens the file meanwhile cannot have it in WAL mode: it waits the busy timeout, then says why.
      const refused = await rejection(() => SqliteSnekStore.open(file, { driver }));
      expect(refused.code).toBe('STORE_UNAVAILABLE');
      expect(refused.message).toContain('bulk load');
    });
    expect(existsSync(`${file}-journal`)).toBe(false);
    const db = await rawDatabase(file, { readonly: true });
    expect(scalar(db, 'PRAGMA journal_mode')).toBe('wal');
    db.close();
    // The store goes on, its file checks too: a write after the load, seen by another connection.
    await store.put(sampleSnek('after-load'));
    const other = await SqliteSnekStore.open(file, { driver });
    expect(await other.get('after-load')).toEqual(sampleSnek('after-load'));
    expect(await other.get('load-01499')).toEqual(loaded(1499));
    await other.close();
    await store.close();
  }, 30_000);

  test("a load that builds the trigram index leaves FTS5's hashsize as it found it, set or not", async () => {
    const hashsize = async (store: SqliteSnekStore, set?: number) => {
      const db = await rawDatabase(store.file);
      if (set !== undefined) db.exec(`INSERT INTO sneks_fts (sneks_fts, rank) VALUES ('hashsize', ${set})`);
      const value = scalar(db, "SELECT coalesce((SELECT v FROM sneks_fts_config WHERE k = 'hashsize'), 1048576)");
      db.close();
      return value;
    };
    const plain = await storeWithSneksBefore('fts-default', driver);
    const tuned = await storeWithSneksBefore('fts-tuned', driver);
    expect(await hashsize(tuned, 2097152)).toBe(2097152);
    for (const store of [plain, tuned]) await store.bulkLoad(() => writeEverything(store));
    expect(await hashsize(plain)).toBe(1048576);
    expect(await hashsize(tuned)).toBe(2097152);
    expect((await plain.search({ q: 'loaded 2999', limit: 1 })).items.map((item) => item.snek.id)).toEqual(['load-02999']);
    await plain.close();
    await tuned.close();
  });

  test('loads do not nest', async () => {
    const store = await SqliteSnekStore.open(path.join(root, 'nested', 'sneks.db'), { driver });
    await store.bulkLoad(async () => {
      await expect(store.bulkLoad(async () => 1)).rejects.toThrow('loads do not nest');
    });
    await store.close();
  });
});
