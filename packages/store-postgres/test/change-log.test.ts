import { describe, expect, it } from '@jest/globals';
import { MAX_CHANGES_LIMIT, keepsChangeLog, type Actor, type Change } from '@snek/core';
import { sampleSnek } from '@snek/store-testkit';
import plugin, { MIGRATIONS, PostgresSnekStore, SCHEMA_VERSION } from '../src/index.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { cleanedUp, uniqueSchema, withClient } from './helpers/test-schemas.js';
import { rejection } from '../../core/test/helpers/rejection.js';

const available = await pgAvailable();
const { schemas, open } = cleanedUp<PostgresSnekStore>(available);

const ADA: Actor = { kind: 'person', id: 'sub-ada', name: 'Ada', email: 'ada@example.com', via: 'company' };
const CI: Actor = { kind: 'token', id: 'ci' };

async function create(options: { schema?: string; keep?: number } = {}): Promise<PostgresSnekStore> {
  const schema = options.schema ?? uniqueSchema('log');
  if (!schemas.includes(schema)) schemas.push(schema);
  const store = (await plugin.create({ url: TEST_PG_URL, schema }, { configDir: process.cwd(), ...(options.keep ? { history: { keep: options.keep } } : {}) })) as PostgresSnekStore;
  open.push(store);
  return store;
}

const query = <R extends Record<string, unknown>>(text: string, values: unknown[] = []) => withClient(async (client) => (await client.query<R>(text, values)).rows);
const summary = (changes: Change[]) => changes.map(({ id, op, snek, actor }) => ({ id, op, content: snek?.content, actor: actor?.id ?? null }));

(available ? describe : describe.skip)('the postgres change log: each write and its change in one transaction', () => {
  it('put, putIf, delete and deleteIf append one change each, with their actor; writes that do not write append none', async () => {
    const store = await create();
    expect(keepsChangeLog(store)).toBe(true);
    expect(await store.put(sampleSnek('a', { content: 'a1' }), { actor: ADA })).toEqual({ created: true });
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

  it('putMany logs each id it writes once, the last snek of an id; createMany only those it creates', async () => {
    const store = await create();
    await store.put(sampleSnek('old', { content: 'old' }));
    expect(await store.putMany([sampleSnek('m1'), sampleSnek('old', { content: 'first' }), sampleSnek('old', { content: 'replaced' })], { actor: CI })).toEqual({ created: 1 });
    expect(await store.createMany([sampleSnek('m1', { content: 'ignored' }), sampleSnek('c1'), sampleSnek('c1', { content: 'second' })], { actor: ADA })).toEqual({ created: ['c1'] });
    expect(await store.createMany([sampleSnek('m1')])).toEqual({ created: [] });
    expect(summary(await store.changes({ after: 1 }))).toEqual([
      { id: 'm1', op: 'put', content: sampleSnek('m1').content, actor: 'ci' },
      { id: 'old', op: 'put', content: 'replaced', actor: 'ci' },
      { id: 'c1', op: 'put', content: sampleSnek('c1').content, actor: 'sub-ada' },
    ]);
  });

  it('a putMany of several batches logs every snek, with seqs in one run', async () => {
    const store = await create({ keep: 10 });
    // Over 4 MiB of art: more than one multi-row upsert.
    const big = Array.from({ length: 120 }, (_, i) => sampleSnek(`big-${String(i).padStart(3, '0')}`, { content: 'x'.repeat(40_000) }));
    expect(await store.putMany(big)).toEqual({ created: 120 });
    const changes = await store.changes({ limit: 1000 });
    expect(changes.map((change) => change.id)).toEqual(big.map((snek) => snek.id));
    expect(changes.map((change) => change.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('a change PostgreSQL refuses fails its write, and a write that fails logs nothing', async () => {
    const store = await create();
    const schema = store.settings.target.schema;
    await store.put(sampleSnek('kept'));
    await store.put(sampleSnek('doomed'));
    await query(`ALTER TABLE "${schema}".changes ADD CONSTRAINT refuse_change CHECK (id NOT IN ('refused', 'doomed')) NOT VALID`);
    await query(`ALTER TABLE "${schema}".sneks ADD CONSTRAINT refuse_snek CHECK (id <> 'no-row')`);
    const writes = [
      () => store.put(sampleSnek('refused')),
      () => store.putIf(sampleSnek('refused'), null),
      () => store.putIf(sampleSnek('doomed', { content: 'new' }), sampleSnek('doomed')),
      () => store.delete('doomed'),
      () => store.deleteIf('doomed', sampleSnek('doomed')),
      () => store.putMany([sampleSnek('fine'), sampleSnek('refused')]),
      () => store.createMany([sampleSnek('fine'), sampleSnek('refused')]),
      () => store.put(sampleSnek('no-row')),
    ];
    for (const write of writes) expect((await rejection(write)).code).toBe('STORE_UNAVAILABLE');
    for (const id of ['refused', 'fine', 'no-row']) expect(await store.get(id)).toBeUndefined();
    expect(await store.get('doomed')).toEqual(sampleSnek('doomed'));
    // Nothing refused took a seq: the next change is 3.
    await store.delete('kept');
    expect((await store.changes()).map(({ seq, id, op }) => [seq, id, op])).toEqual([[1, 'kept', 'put'], [2, 'doomed', 'put'], [3, 'kept', 'delete']]);
  });

  it('stores the actor as jsonb, NULL when the write named nobody, and at as the commit time', async () => {
    const store = await create();
    const before = new Date(Date.now() - 1000).toISOString();
    await store.put(sampleSnek('a'), { actor: ADA });
    await store.put(sampleSnek('b'));
    const rows = await query<{ id: string; actor: unknown; kind: string | null }>(`SELECT id, actor, actor->>'kind' AS kind FROM "${store.settings.target.schema}".changes ORDER BY seq`);
    expect(rows).toEqual([{ id: 'a', actor: ADA, kind: 'person' }, { id: 'b', actor: null, kind: null }]);
    const [a, b] = await store.changes();
    // The database's clock, which this test shares: within a second of ours.
    expect(before < a!.at && a!.at <= b!.at && b!.at < new Date(Date.now() + 1000).toISOString()).toBe(true);
  });
});

(available ? describe : describe.skip)('postgres changes() and latestChanges()', () => {
  it('filters by after, before and id, in either order, up to limit (at most MAX_CHANGES_LIMIT)', async () => {
    const store = await create();
    await store.putMany(Array.from({ length: 1200 }, (_, i) => sampleSnek(`bulk-${String(i).padStart(4, '0')}`)));
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
    const store = await create();
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

  it('rejects calls on a closed store with STORE_CLOSED', async () => {
    const store = await create();
    await store.close();
    for (const call of [() => store.changes(), () => store.latestChanges([]), () => store.watchChanges(() => undefined)]) expect((await rejection(call)).code).toBe('STORE_CLOSED');
  });
});

(available ? describe : describe.skip)('postgres retention', () => {
  it('keeps the newest history.keep changes of each id, in the write that adds one more', async () => {
    const store = await create({ keep: 3 });
    for (let i = 1; i <= 6; i++) await store.put(sampleSnek('busy', { content: `v${i}` }));
    await store.put(sampleSnek('quiet'));
    await store.delete('busy');
    expect((await store.changes({ id: 'busy' })).map((change) => (change.op === 'put' ? change.snek!.content : 'deleted'))).toEqual(['v5', 'v6', 'deleted']);
    expect((await store.changes({ id: 'quiet' })).map((change) => change.seq)).toEqual([7]);
    // A deleted snek's history stays until retention drops it; a smaller keep applies at the id's next write.
    const schema = store.settings.target.schema;
    await store.close();
    const smaller = await create({ schema, keep: 1 });
    expect((await smaller.changes({ id: 'busy' })).map((change) => change.seq)).toEqual([5, 6, 8]);
    await smaller.putMany([sampleSnek('busy', { content: 'back' })]);
    expect((await smaller.changes()).map(({ seq, id }) => [seq, id])).toEqual([[7, 'quiet'], [9, 'busy']]);
  });

  it('defaults to DEFAULT_HISTORY_KEEP (100) changes per id', async () => {
    const store = await create();
    const ids = ['many-0', 'many-1', 'many-2'];
    for (let round = 0; round < 105; round++) await Promise.all(ids.map((id) => store.put(sampleSnek(id, { content: `v${round}` }))));
    for (const id of ids) {
      const kept = await store.changes({ id, limit: 1000 });
      expect([kept.length, kept[0]!.snek!.content, kept.at(-1)!.snek!.content]).toEqual([100, 'v5', 'v104']);
    }
  });

  it('concurrent writes of one snek keep at least history.keep, and its next write brings it back to keep', async () => {
    const store = await create({ keep: 3 });
    // A write that waited for another writer of its snek does not see that writer's change, so it may keep one more.
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(sampleSnek('contended', { content: `v${i}` }))));
    expect((await store.changes({ id: 'contended' })).length).toBeGreaterThanOrEqual(3);
    await store.put(sampleSnek('contended', { content: 'last' }));
    const kept = await store.changes({ id: 'contended' });
    expect(kept).toHaveLength(3);
    expect(kept.at(-1)!.snek!.content).toBe('last');
  });
});

(available ? describe : describe.skip)('postgres schema 3 migration', () => {
  it('adds the log to a schema-2 database, keeping its sneks; the first write is seq 1', async () => {
    const schema = uniqueSchema('v2');
    schemas.push(schema);
    const s = `"${schema}"`;
    await withClient(async (client) => {
      await client.query(`CREATE SCHEMA ${s}; CREATE TABLE ${s}.schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      for (const [i, step] of MIGRATIONS.slice(0, 2).entries()) {
        await client.query((step as (schema: string) => string)(s));
        await client.query(`INSERT INTO ${s}.schema_migrations (version) VALUES ($1)`, [i + 1]);
      }
      await client.query(`INSERT INTO ${s}.sneks VALUES ('kept', 'Kept', 'old', 'art')`);
    });
    const store = await create({ schema });
    expect((await store.status())['schemaVersion']).toBe(SCHEMA_VERSION);
    expect(await store.get('kept')).toEqual({ id: 'kept', name: 'Kept', type: 'old', content: 'art' });
    expect(await store.latestChanges(['kept'])).toEqual([]);
    await store.delete('kept', { actor: CI });
    expect(summary(await store.changes())).toEqual([{ id: 'kept', op: 'delete', content: undefined, actor: 'ci' }]);
    expect((await store.changes())[0]!.seq).toBe(1);
    const indexes = await query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'changes' ORDER BY indexname", [schema]);
    expect(indexes.map((row) => row.indexdef.replace(/^.* USING /, ''))).toEqual(['btree (id, seq)', 'btree (seq)', "btree (type, seq) WHERE (op = 'put'::text)"]);
  });
});
