import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MAX_CHANGES_LIMIT, keepsChangeLog, type Actor, type Change } from '@snek/core';
import { sampleSnek } from '@snek/store-testkit';
import { rawDatabase, scalar } from './helpers/raw-database.js';
import plugin, { MIGRATIONS, SqliteSnekStore, changesSql } from '../src/index.js';
import { rejection } from '../../core/test/helpers/rejection.js';

const ADA: Actor = { kind: 'person', id: 'sub-ada', name: 'Ada', email: 'ada@example.com', via: 'company' };
const CI: Actor = { kind: 'token', id: 'ci' };

let root: string;
const open: SqliteSnekStore[] = [];
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'snek-sqlite-log-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  await rm(root, { recursive: true, force: true });
});

async function openStore(options: { historyKeep?: number; name?: string } = {}): Promise<SqliteSnekStore> {
  const store = await SqliteSnekStore.open(path.join(root, options.name ?? 'sneks.db'), { historyKeep: options.historyKeep });
  open.push(store);
  return store;
}

/** The message a call rejects with (the driver's errors come from another realm than Jest's), or undefined. */
const failure = (run: () => Promise<unknown>) => run().then(() => undefined, (error: unknown) => String((error as Error).message));

/** What a change says, without the seq and time, which other tests check. */
const summary = (changes: Change[]) => changes.map(({ id, op, snek, actor }) => ({ id, op, content: snek?.content, actor: actor?.id ?? null }));

describe('the change log: each write and its change in one transaction', () => {
  it('put, putIf, delete and deleteIf append one change each, with their actor; writes that do not write append none', async () => {
    const store = await openStore();
    expect(keepsChangeLog(store)).toBe(true);
    await store.put(sampleSnek('a', { content: 'a1' }), { actor: ADA });
    expect(await store.putIf(sampleSnek('b', { content: 'b1' }), null, { actor: CI })).toEqual({ ok: true, created: true });
    expect((await store.putIf(sampleSnek('b', { content: 'b2' }), null, { actor: CI })).ok).toBe(false);
    expect((await store.putIf(sampleSnek('a', { content: 'a2' }), sampleSnek('a', { content: 'stale' }))).ok).toBe(false);
    expect(await store.putIf(sampleSnek('a', { content: 'a2' }), sampleSnek('a', { content: 'a1' }))).toEqual({ ok: true, created: false });
    expect(await store.delete('nothing-here', { actor: ADA })).toBe(false);
    expect((await store.deleteIf('b', sampleSnek('b', { content: 'stale' }))).ok).toBe(false);
    expect(await store.deleteIf('b', sampleSnek('b', { content: 'b1' }), { actor: ADA })).toEqual({ ok: true });
    expect(await store.delete('a', { actor: CI })).toBe(true);
    const changes = await store.changes();
    expect(summary(changes)).toEqual([
      { id: 'a', op: 'put', content: 'a1', actor: 'sub-ada' },
      { id: 'b', op: 'put', content: 'b1', actor: 'ci' },
      { id: 'a', op: 'put', content: 'a2', actor: null },
      { id: 'b', op: 'delete', content: undefined, actor: 'sub-ada' },
      { id: 'a', op: 'delete', content: undefined, actor: 'ci' },
    ]);
    expect(changes.map((change) => change.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(changes[0]).toEqual({ seq: 1, id: 'a', op: 'put', snek: sampleSnek('a', { content: 'a1' }), actor: ADA, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    expect(changes[3]).not.toHaveProperty('snek');
  });

  it('putMany logs every snek it writes; createMany only those it creates', async () => {
    const store = await openStore();
    await store.put(sampleSnek('old', { content: 'old' }));
    expect(await store.putMany([sampleSnek('m1'), sampleSnek('old', { content: 'replaced' })], { actor: CI })).toEqual({ created: 1 });
    expect(await store.createMany([sampleSnek('m1', { content: 'ignored' }), sampleSnek('c1'), sampleSnek('c1', { content: 'second' })], { actor: ADA })).toEqual({ created: ['c1'] });
    expect(summary(await store.changes({ after: 1 }))).toEqual([
      { id: 'm1', op: 'put', content: sampleSnek('m1').content, actor: 'ci' },
      { id: 'old', op: 'put', content: 'replaced', actor: 'ci' },
      { id: 'c1', op: 'put', content: sampleSnek('c1').content, actor: 'sub-ada' },
    ]);
  });

  it('puts group-committed in one turn get one change each, in the order they were made, sharing the commit time', async () => {
    const store = await openStore();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(sampleSnek(`g${i % 4}`, { content: `v${i}` }))));
    const changes = await store.changes();
    expect(changes.map((change) => change.snek!.content)).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`));
    expect(new Set(changes.map((change) => change.at)).size).toBe(1);
  });

  it('a change the file refuses fails its write, and a write that fails logs nothing', async () => {
    const store = await openStore();
    await store.put(sampleSnek('kept'));
    await store.put(sampleSnek('refused'));
    await store.delete('refused');
    await store.put(sampleSnek('doomed'));
    const db = await rawDatabase(store.file);
    db.exec(`CREATE TRIGGER refuse_change BEFORE INSERT ON changes WHEN NEW.id IN ('refused', 'doomed') BEGIN SELECT RAISE(ABORT, 'no change for you'); END;
      CREATE TRIGGER refuse_snek BEFORE INSERT ON sneks WHEN NEW.id = 'no-row' BEGIN SELECT RAISE(ABORT, 'no row for you'); END`);
    db.close();
    // The put of "other" shares the refused put's transaction, so it is refused with it.
    const [refused, other] = await Promise.allSettled([store.put(sampleSnek('refused')), store.put(sampleSnek('other'))]);
    expect([refused.status, other.status]).toEqual(['rejected', 'rejected']);
    expect(await failure(() => store.putMany([sampleSnek('fine'), sampleSnek('refused')]))).toContain('no change for you');
    expect(await failure(() => store.delete('kept'))).toBeUndefined();
    await store.put(sampleSnek('kept'));
    expect(await failure(() => store.put(sampleSnek('no-row')))).toContain('no row for you');
    expect(await failure(() => store.delete('doomed'))).toContain('no change for you');
    expect(await failure(() => store.deleteIf('doomed', sampleSnek('doomed')))).toContain('no change for you');
    for (const id of ['refused', 'other', 'fine', 'no-row']) expect(await store.get(id)).toBeUndefined();
    expect(await store.get('doomed')).toEqual(sampleSnek('doomed'));
    const logged = await store.changes();
    expect(summary(logged.slice(3))).toEqual([{ id: 'doomed', op: 'put', content: sampleSnek('doomed').content, actor: null }, { id: 'kept', op: 'delete', content: undefined, actor: null }, { id: 'kept', op: 'put', content: sampleSnek('kept').content, actor: null }]);
    expect(logged.map((change) => change.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('stores the actor as JSON, null when the write named nobody, and the time with milliseconds', async () => {
    const store = await openStore();
    const before = new Date().toISOString();
    await store.put(sampleSnek('a'), { actor: ADA });
    await store.put(sampleSnek('b'));
    const after = new Date().toISOString();
    const db = await rawDatabase(store.file, { readonly: true });
    const rows = db.prepare('SELECT id, actor, at FROM changes ORDER BY seq').all();
    db.close();
    expect(rows.map((row) => ({ ...row }))).toEqual([
      { id: 'a', actor: JSON.stringify(ADA), at: expect.any(String) },
      { id: 'b', actor: null, at: expect.any(String) },
    ]);
    for (const row of rows) expect(before <= (row['at'] as string) && (row['at'] as string) <= after).toBe(true);
  });
});

describe('changes() and latestChanges()', () => {
  it('filters by after, before and id, in either order, up to limit (at most MAX_CHANGES_LIMIT)', async () => {
    const store = await openStore({ historyKeep: 5000 });
    await store.putMany(Array.from({ length: 1200 }, (_, i) => sampleSnek(`bulk-${i}`)));
    await store.put(sampleSnek('x', { content: 'x1' }));
    await store.put(sampleSnek('y'));
    await store.put(sampleSnek('x', { content: 'x2' }));
    expect((await store.changes()).map((change) => change.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(await store.changes({ limit: 5000 })).toHaveLength(MAX_CHANGES_LIMIT);
    expect((await store.changes({ after: 1199, limit: 10 })).map((change) => change.seq)).toEqual([1200, 1201, 1202, 1203]);
    expect((await store.changes({ order: 'desc', limit: 2 })).map((change) => change.seq)).toEqual([1203, 1202]);
    expect((await store.changes({ id: 'x', order: 'desc' })).map((change) => change.snek!.content)).toEqual(['x2', 'x1']);
    expect((await store.changes({ id: 'x', before: 1203 })).map((change) => change.seq)).toEqual([1201]);
    expect((await store.changes({ after: 10, before: 14 })).map((change) => change.seq)).toEqual([11, 12, 13]);
    expect(await store.changes({ limit: 0 })).toEqual([]);
    expect(await store.changes({ id: 'never' })).toEqual([]);
  });

  it('latestChanges gives the newest change of each id that has one, a delete included', async () => {
    const store = await openStore();
    await store.put(sampleSnek('a', { content: 'a1' }));
    await store.put(sampleSnek('b'));
    await store.put(sampleSnek('a', { content: 'a2' }), { actor: CI });
    await store.delete('b');
    const latest = await store.latestChanges(['a', 'b', 'never', 'a']);
    expect(latest.sort((x, y) => x.seq - y.seq).map(({ seq, id, op, snek, actor }) => ({ seq, id, op, content: snek?.content, actor }))).toEqual([
      { seq: 3, id: 'a', op: 'put', content: 'a2', actor: CI },
      { seq: 4, id: 'b', op: 'delete', content: undefined, actor: null },
    ]);
    expect(await store.latestChanges([])).toEqual([]);
  });

  it('serves every read of the log from an index, without a sort step', async () => {
    const store = await openStore();
    await store.put(sampleSnek('a'));
    const db = await rawDatabase(store.file, { readonly: true });
    const plan = (sql: string, params: Record<string, string | number>) => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params).map((row) => row['detail']).join(' | ');
    const plans = [false, true].flatMap((byId) => (['asc', 'desc'] as const).map((order) => plan(changesSql(byId, order), { after: 0, before: 10, limit: 5, ...(byId ? { id: 'a' } : {}) })));
    db.close();
    expect(plans[0]).toContain('INTEGER PRIMARY KEY');
    expect(plans[2]).toContain('changes_id_seq');
    for (const text of plans) expect(text).not.toContain('TEMP B-TREE');
  });
});

describe('a closed store', () => {
  it('rejects a closed store with STORE_CLOSED', async () => {
    const store = await openStore();
    await store.close();
    expect((await rejection(() => store.changes())).code).toBe('STORE_CLOSED');
    expect((await rejection(() => store.latestChanges(['a']))).code).toBe('STORE_CLOSED');
  });
});

describe('retention', () => {
  it('keeps the newest history.keep changes of each id, dropping older ones at its next write', async () => {
    const store = (await plugin.create({ file: 'kept.db' }, { configDir: root, history: { keep: 3 } })) as SqliteSnekStore;
    open.push(store);
    for (let i = 1; i <= 6; i++) await store.put(sampleSnek('busy', { content: `v${i}` }));
    await store.put(sampleSnek('quiet'));
    await store.delete('busy');
    expect((await store.changes({ id: 'busy' })).map((change) => change.op === 'put' ? change.snek!.content : 'deleted')).toEqual(['v5', 'v6', 'deleted']);
    expect((await store.changes({ id: 'quiet' })).map((change) => change.seq)).toEqual([7]);
    // A deleted snek's history stays until retention drops it.
    await store.close();
    const reopened = await openStore({ name: 'kept.db', historyKeep: 3 });
    expect((await reopened.changes({ id: 'busy' })).map((change) => change.seq)).toEqual([5, 6, 8]);
    // A smaller keep applies at the id's next write; a dropped seq is never given again.
    await reopened.close();
    const smaller = await openStore({ name: 'kept.db', historyKeep: 1 });
    await smaller.put(sampleSnek('busy', { content: 'back' }));
    expect((await smaller.changes({ id: 'busy' })).map((change) => change.seq)).toEqual([9]);
    const db = await rawDatabase(smaller.file, { readonly: true });
    expect(scalar(db, 'SELECT count(*) FROM changes')).toBe(2);
    db.close();
  });

  it('defaults to DEFAULT_HISTORY_KEEP (100) changes per id', async () => {
    const store = await openStore();
    for (let round = 0; round < 105; round += 15) await Promise.all(Array.from({ length: 15 }, (_, i) => store.put(sampleSnek('many', { content: `v${round + i}` }))));
    const kept = await store.changes({ id: 'many', limit: 1000 });
    expect(kept).toHaveLength(100);
    expect(kept[0]!.snek!.content).toBe('v5');
  });
});

describe('schema 4 migration', () => {
  it('adds the log to a schema-3 file, keeping its sneks; the first write is seq 1', async () => {
    const file = path.join(root, 'v3.db');
    const old = await rawDatabase(file);
    for (const step of MIGRATIONS.slice(0, 3)) old.exec(step as string);
    old.prepare('INSERT INTO sneks VALUES (?, ?, ?, ?)').run('kept', 'Kept', 'old', 'art\n');
    old.exec('PRAGMA user_version = 3');
    old.close();
    const store = await openStore({ name: 'v3.db' });
    expect(await store.get('kept')).toEqual({ id: 'kept', name: 'Kept', type: 'old', content: 'art\n' });
    expect(await store.latestChanges(['kept'])).toEqual([]);
    await store.delete('kept', { actor: CI });
    expect(summary(await store.changes())).toEqual([{ id: 'kept', op: 'delete', content: undefined, actor: 'ci' }]);
    expect((await store.changes())[0]!.seq).toBe(1);
  });
});

describe('two stores on one file', () => {
  it('give seq in commit order: each store sees the other, with no seq given twice', async () => {
    const one = await openStore();
    const two = await openStore();
    for (let round = 0; round < 10; round++) {
      await Promise.all([
        ...Array.from({ length: 5 }, (_, i) => one.put(sampleSnek(`s${i}`, { content: `one ${round}` }))),
        ...Array.from({ length: 5 }, (_, i) => two.put(sampleSnek(`s${i}`, { content: `two ${round}` }))),
        round % 2 ? one.delete(`s${round % 5}`) : two.delete(`s${round % 5}`),
      ]);
    }
    const seen = await one.changes({ limit: 1000 });
    expect(await two.changes({ limit: 1000 })).toEqual(seen);
    expect(seen.map((change) => change.seq)).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1));
    // The log ends with what the file holds: the last change of each id is its current state.
    for (const change of await one.latestChanges(['s0', 's1', 's2', 's3', 's4'])) expect(await two.get(change.id)).toEqual(change.snek);
  });
});
