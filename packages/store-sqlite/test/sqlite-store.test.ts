import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SnekError, type SnekStore } from '@snek/core';
import { sampleSnek } from '@snek/store-testkit';
import { rawDatabase } from './helpers/raw-database.js';
import plugin, { LIST_FILTERS, MIGRATIONS, SCHEMA_VERSION, SqliteSnekStore, listSql } from '../src/index.js';
import { rejection } from '../../core/test/helpers/rejection.js';

// What `driver: auto` picks here: Node 22.13+ has node:sqlite built in.
const AUTO_DRIVER = process.getBuiltinModule('node:sqlite') ? 'node:sqlite' : 'better-sqlite3';

let root: string;
const open: SnekStore[] = [];
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'snek-sqlite-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  await rm(root, { recursive: true, force: true });
});

async function create(options: unknown): Promise<SqliteSnekStore> {
  const store = (await plugin.create(options as never, { configDir: root })) as SqliteSnekStore;
  open.push(store);
  return store;
}


describe('SqliteSnekStore', () => {
  it('opens in WAL mode with synchronous=FULL and the current schema', async () => {
    const store = await create({});
    expect(await store.status()).toEqual({ file: path.join(root, 'snek-data/sneks.db'), driver: AUTO_DRIVER, schemaVersion: SCHEMA_VERSION, journalMode: 'wal', synchronous: 'full' });
  });

  it('resolves a relative file from the config folder', async () => {
    const store = await create({ file: 'nested/dir/my.db' });
    expect(store.file).toBe(path.join(root, 'nested/dir/my.db'));
  });

  it('migrates a schema-1 file forward, keeping its sneks', async () => {
    const file = path.join(root, 'old.db');
    const old = await rawDatabase(file);
    old.exec(MIGRATIONS[0] as string);
    old.prepare('INSERT INTO sneks VALUES (?, ?, ?, ?)').run('kept', 'Kept', 'old', 'art\n');
    old.exec('PRAGMA user_version = 1');
    old.close();
    const store = await create({ file: 'old.db' });
    expect(await store.get('kept')).toEqual({ id: 'kept', name: 'Kept', type: 'old', content: 'art\n' });
    expect((await store.status())['schemaVersion']).toBe(SCHEMA_VERSION);
    const check = await rawDatabase(file, { readonly: true });
    const indexes = check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sneks' AND sql IS NOT NULL").all().map((row) => row['name']);
    const tables = check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((row) => row['name']);
    check.close();
    expect(indexes.sort()).toEqual(['sneks_name_key_id', 'sneks_rid', 'sneks_type_id', 'sneks_type_name_key_id', 'sneks_type_updated_id', 'sneks_updated_id']);
    expect(tables.filter((name) => !String(name).startsWith('sneks_fts_')).sort()).toEqual(['changes', 'seeded_pack_sneks', 'sneks', 'sneks_fts', 'sqlite_sequence', 'type_counts']);
    // The trigram index keeps no text sizes (migration 7).
    expect(tables).not.toContain('sneks_fts_docsize');
    expect(tables).toContain('sneks_fts_content');
  });

  it('refuses a file from a newer schema with STORE_INIT_FAILED', async () => {
    const file = path.join(root, 'future.db');
    const future = await rawDatabase(file);
    future.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    future.close();
    const error = await rejection(() => create({ file: 'future.db' }));
    expect(error.code).toBe('STORE_INIT_FAILED');
    expect(error.message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
  });

  it('refuses a file that is not a database with STORE_INIT_FAILED naming it', async () => {
    await writeFile(path.join(root, 'text.db'), 'this is not a database, just some text that is long enough to have a header');
    const error = await rejection(() => create({ file: 'text.db' }));
    expect(error.code).toBe('STORE_INIT_FAILED');
    expect(error.message).toContain(path.join(root, 'text.db'));
  });

  it('serves each list filter from an index, in id order, without a sort step', async () => {
    const store = await create({});
    await store.put(sampleSnek('a'));
    const db = await rawDatabase(store.file, { readonly: true });
    const plans = LIST_FILTERS.map((where) => {
      const params = { after: '', limit: 1, ...(where.includes('@name') ? { name: 'n', name_key: 'n' } : {}), ...(where.includes('@type') ? { type: 't' } : {}) };
      return db.prepare(`EXPLAIN QUERY PLAN ${listSql(where)}`).all(params).map((row) => row['detail']).join(' | ');
    });
    const countPlan = db.prepare('EXPLAIN QUERY PLAN SELECT type, count FROM type_counts ORDER BY type').all().map((row) => row['detail']).join(' | ');
    db.close();
    for (const plan of plans) {
      expect(plan).toMatch(/SEARCH|SCAN sneks/);
      expect(plan).not.toContain('TEMP B-TREE');
    }
    expect(plans[1]).toContain('sneks_name_key_id');
    expect(plans[2]).toContain('sneks_type_id');
    expect(plans[3]).toContain('sneks_type_name_key_id');
    expect(countPlan).toBe('SCAN type_counts');
    expect(countPlan).not.toContain('TEMP B-TREE');
  });

  it('rejects unknown options with STORE_OPTIONS_INVALID', async () => {
    expect((await rejection(() => create({ path: 'x.db' }))).code).toBe('STORE_OPTIONS_INVALID');
  });
  it('runs reads issued in one turn together, and a failing read fails only itself', async () => {
    const store = await create({});
    await Promise.all(['a', 'b', 'c'].map((id) => store.put(sampleSnek(id, { type: id === 'b' ? 'odd' : 'even' }))));
    const [a, bad, missing, evens] = await Promise.allSettled([store.get('a'), store.list({ cursor: 'not a cursor' }), store.get('zzz'), store.list({ type: 'even' })]);
    expect(a).toEqual({ status: 'fulfilled', value: sampleSnek('a', { type: 'even' }) });
    expect(bad.status).toBe('rejected');
    expect(SnekError.is((bad as PromiseRejectedResult).reason)).toBe(true);
    expect(missing).toEqual({ status: 'fulfilled', value: undefined });
    expect(evens.status === 'fulfilled' && evens.value.items.map((snek) => snek.id)).toEqual(['a', 'c']);
  });

  it('runs identical reads of one turn once, and gives each caller its own objects', async () => {
    const store = await create({});
    await store.put(sampleSnek('same'));
    const [first, second] = await Promise.all([store.get('same'), store.get('same')]);
    const [page1, page2] = await Promise.all([store.list({ limit: 5 }), store.list({ limit: 5 })]);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(page2).toEqual(page1);
    expect(page2.items[0]).not.toBe(page1.items[0]);
    first!.content = 'changed by one caller';
    page1.items[0]!.name = 'changed by one caller';
    expect(second!.content).toBe(sampleSnek('same').content);
    expect(page2.items[0]!.name).toBe(sampleSnek('same').name);
  });

  it('answers reads already accepted when closed, and refuses new ones', async () => {
    const store = await create({});
    await store.put(sampleSnek('kept'));
    const accepted = store.get('kept');
    await store.close();
    expect(await accepted).toEqual(sampleSnek('kept'));
    expect((await rejection(() => store.get('kept'))).code).toBe('STORE_CLOSED');
  });
});
