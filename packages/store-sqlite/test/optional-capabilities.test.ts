import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { countsTypes, keepsSeedLedger } from '@snek/core';
import { sampleSnek } from '@snek/store-testkit';
import { rawDatabase } from './helpers/raw-database.js';
import { MIGRATIONS, SqliteSnekStore } from '../src/index.js';

let root: string;
const open: SqliteSnekStore[] = [];
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'snek-sqlite-cap-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  await rm(root, { recursive: true, force: true });
});

async function openStore(name = 'sneks.db'): Promise<SqliteSnekStore> {
  const store = await SqliteSnekStore.open(path.join(root, name));
  open.push(store);
  return store;
}

describe('countTypes()', () => {
  it('is detected by countsTypes and answers [] for an empty store', async () => {
    const store = await openStore();
    expect(countsTypes(store)).toBe(true);
    expect(await store.countTypes()).toEqual([]);
  });

  it('counts each type once per snek, in code-unit order, after overwrites and deletes', async () => {
    const store = await openStore();
    const types = { a: 'zebra', b: 'a-1', c: 'a.1', d: 'A', e: 'zebra', f: 'a-1', g: '9' };
    await Promise.all(Object.entries(types).map(([id, type]) => store.put(sampleSnek(id, { type }))));
    await store.put(sampleSnek('f', { type: 'zebra' }));
    await store.delete('g');
    const expected = [{ type: 'A', count: 1 }, { type: 'a-1', count: 1 }, { type: 'a.1', count: 1 }, { type: 'zebra', count: 3 }];
    expect(await store.countTypes()).toEqual(expected);
    // The order JS's < gives, which list() uses for ids.
    expect(expected.map((entry) => entry.type)).toEqual(expected.map((entry) => entry.type).sort((x, y) => (x < y ? -1 : 1)));
  });
});

describe('seed ledger: seeded() and recordSeeded()', () => {
  it('is detected by keepsSeedLedger and starts empty', async () => {
    const store = await openStore();
    expect(keepsSeedLedger(store)).toBe(true);
    expect(await store.seeded(['a', 'b'])).toEqual([]);
    expect(await store.seeded([])).toEqual([]);
  });

  it('answers those of the ids recorded before, in the order asked, whether the snek exists or not', async () => {
    const store = await openStore();
    await store.put(sampleSnek('kept'));
    await store.recordSeeded(['kept', 'deleted', 'never-a-snek']);
    await store.delete('deleted');
    expect(await store.seeded(['other', 'never-a-snek', 'kept', 'deleted'])).toEqual(['never-a-snek', 'kept', 'deleted']);
  });

  it('does nothing when an id is recorded twice, or nothing is recorded', async () => {
    const store = await openStore();
    await store.recordSeeded(['twice']);
    await store.recordSeeded(['twice', 'twice', 'new']);
    await store.recordSeeded([]);
    const db = await rawDatabase(store.file, { readonly: true });
    const rows = db.prepare('SELECT id FROM seeded_pack_sneks ORDER BY id').all().map((row) => row['id']);
    db.close();
    expect(rows).toEqual(['new', 'twice']);
  });

  it('is on disk once recordSeeded resolves: a second connection and a reopened store see it', async () => {
    const store = await openStore();
    await store.recordSeeded(['durable']);
    const other = await openStore();
    expect(await other.seeded(['durable'])).toEqual(['durable']);
    await store.close();
    expect(await (await openStore()).seeded(['durable'])).toEqual(['durable']);
  });

  it('is added to a schema-2 file by migration, which keeps its sneks', async () => {
    const file = path.join(root, 'v2.db');
    const old = await rawDatabase(file);
    for (const step of MIGRATIONS.slice(0, 2)) old.exec(step as string);
    old.prepare('INSERT INTO sneks VALUES (?, ?, ?, ?)').run('kept', 'Kept', 'old', 'art\n');
    old.exec('PRAGMA user_version = 2');
    old.close();
    const store = await openStore('v2.db');
    expect(await store.seeded(['kept'])).toEqual([]);
    await store.recordSeeded(['kept']);
    expect(await store.seeded(['kept'])).toEqual(['kept']);
    expect(await store.get('kept')).toEqual({ id: 'kept', name: 'Kept', type: 'old', content: 'art\n' });
  });
});
