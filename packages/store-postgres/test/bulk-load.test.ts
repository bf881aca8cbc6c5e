import assert from 'node:assert/strict';
import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { SnekError, type Snek } from '@snek/core';
import plugin, { PostgresSnekStore } from '../src/index.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { cleanedUp, uniqueSchema, withClient } from './helpers/test-schemas.js';
import { until } from './helpers/until.js';

const available = await pgAvailable();
const { schemas, open } = cleanedUp<PostgresSnekStore>(available);

async function create(schema: string): Promise<PostgresSnekStore> {
  const store = (await plugin.create({ url: TEST_PG_URL, schema }, { configDir: process.cwd() })) as PostgresSnekStore;
  open.push(store);
  return store;
}

const DEFERRED = ['sneks_id_trgm', 'sneks_name_key_id', 'sneks_name_trgm', 'sneks_type_id', 'sneks_type_name_key_id'];
/** Those of the change log, which only a load into an empty store and log drops. */
const LOG_INDEXES = ['changes_id_seq', 'changes_put_type_seq'];
const EVERY_INDEX = [...DEFERRED, ...LOG_INDEXES, 'changes_pkey', 'sneks_pkey'].sort();
const snek = (i: number): Snek => ({ id: `s${String(i).padStart(4, '0')}`, name: `Snek number ${i}`, type: i % 2 ? 'cute' : 'plain', content: `~${i}` });
const sneks = (from: number, count: number) => Array.from({ length: count }, (_, k) => snek(from + k));

const indexesOf = (schema: string) =>
  withClient(async (client) => (await client.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1 AND tablename IN ('sneks', 'changes') ORDER BY 1`, [schema])).rows.map((row) => row.name));

/** The backend that holds the load's advisory lock: the load's own connection. */
const loadBackend = (schema: string) =>
  withClient(async (client) => {
    const { rows } = await client.query<{ pid: number }>(`SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1`, [`snek ${schema}`]);
    return rows.map((row) => row.pid);
  });

/**
 * Ends the load's backend, as PostgreSQL sees a process that dies: its transaction rolls back, its locks are let go.
 * pg_terminate_backend only signals, so this waits until the backend, and its lock, are gone.
 */
async function killLoad(schema: string): Promise<void> {
  const pids = await loadBackend(schema);
  expect(pids).toHaveLength(1);
  await withClient((client) => client.query('SELECT pg_terminate_backend($1)', [pids[0]]));
  await until("the load's backend to end", async () => (await loadBackend(schema)).length === 0);
}

/** A load into `store` that runs `write`, then waits for `release` before `then`; `wrote` resolves once `write` has. */
function holdingLoad(store: PostgresSnekStore, write: () => Promise<unknown>, then: () => Promise<void> = async () => undefined) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let written!: () => void;
  const wrote = new Promise<void>((resolve) => (written = resolve));
  const load = store.bulkLoad(async () => {
    await write();
    written();
    await held;
    await then();
  });
  return { load, wrote, release };
}

/**
 * A new store of 10 sneks (`empty`: of none) and a load into it, held open once it has written 600 more (which defers
 * the indexes): `release` lets it go on to `then`.
 */
async function heldLoad(then: (loader: PostgresSnekStore) => Promise<void> = async () => undefined, empty = false) {
  const schema = uniqueSchema('bulk');
  schemas.push(schema);
  const loader = await create(schema);
  if (!empty) await loader.putMany(sneks(0, 10));
  const { load, wrote, release } = holdingLoad(loader, () => loader.putMany(sneks(10, 600)), () => then(loader));
  await wrote;
  return { schema, loader, load, release };
}

(available ? describe : describe.skip)('bulkLoad() in PostgreSQL', () => {
  it('while a big load runs, another server reads the store as before it, and opens without building its indexes', async () => {
    const { schema, load, release } = await heldLoad();
    // The store was not empty: the load's writes go the usual way, and retention reads the log's indexes.
    const during = [...LOG_INDEXES, 'changes_pkey', 'sneks_pkey'].sort();
    expect(await indexesOf(schema)).toEqual(during);
    const reader = await create(schema);
    expect(await indexesOf(schema)).toEqual(during);
    expect((await reader.list({ limit: 1000 })).items).toHaveLength(10);
    expect((await reader.search({ q: 'snek number 3', limit: 1 })).items.map((item) => item.snek.id)).toEqual(['s0003']);
    expect(await reader.countTypes()).toEqual([{ type: 'cute', count: 5 }, { type: 'plain', count: 5 }]);
    release();
    await load;
    expect(await indexesOf(schema)).toEqual(EVERY_INDEX);
    expect(await withClient(async (client) => (await client.query(`SELECT count(*)::int AS n FROM ${schema}.sneks`)).rows[0].n)).toBe(610);
    expect(await reader.get('s0609')).toEqual(snek(609));
    expect((await reader.search({ q: 'snek number 603', limit: 1 })).items.map((item) => item.snek.id)).toEqual(['s0603']);
  });

  it('a load whose connection dies mid-way keeps none of its writes, and the next open builds the indexes it dropped', async () => {
    const { schema, loader, load, release } = await heldLoad(async (held) => void (await held.putMany(sneks(610, 10))));
    load.catch(() => undefined);
    await killLoad(schema);
    const next = await create(schema);
    expect(await indexesOf(schema)).toEqual(EVERY_INDEX);
    expect((await next.list({ limit: 1000 })).items).toEqual(sneks(0, 10));
    expect((await next.search({ q: 'snek number 3', limit: 1 })).items.map((item) => item.snek.id)).toEqual(['s0003']);
    release();
    await assert.rejects(load, (error) => SnekError.is(error) && error.code === 'STORE_UNAVAILABLE');
    await next.put(snek(700));
    expect((await loader.list({ limit: 1000 })).items).toHaveLength(11);
  });

  it('a load into an empty store and log drops the log\'s indexes too: history answers by scan meanwhile, and a load that dies leaves them to the next open', async () => {
    const { schema, loader, load, release } = await heldLoad(undefined, true);
    load.catch(() => undefined);
    expect(await indexesOf(schema)).toEqual(['changes_pkey', 'sneks_pkey']);
    const reader = await create(schema);
    expect(await indexesOf(schema)).toEqual(['changes_pkey', 'sneks_pkey']);
    expect(await reader.changes({ id: 's0010' })).toEqual([]);
    await killLoad(schema);
    const next = await create(schema);
    expect(await indexesOf(schema)).toEqual(EVERY_INDEX);
    release();
    await assert.rejects(load, (error) => SnekError.is(error) && error.code === 'STORE_UNAVAILABLE');
    await loader.bulkLoad(() => loader.putMany(sneks(0, 600)));
    expect(await indexesOf(schema)).toEqual(EVERY_INDEX);
    expect((await next.changes({ id: 's0599' })).map((change) => [change.op, change.snek])).toEqual([['put', snek(599)]]);
    expect((await next.browse({ sort: 'updated', type: 'cute', limit: 1 })).items.map((item) => item.snek.id)).toEqual(['s0599']);
  });

  it('a write committed between the check before the drop and the load\'s claim sends the load the usual way, with the log\'s indexes built at once', async () => {
    const schema = uniqueSchema('bulk');
    schemas.push(schema);
    const store = await create(schema);
    // Another server's write, open across the drop: the drop waits for its locks, and it commits before the claim.
    const writer = new pg.Client(TEST_PG_URL);
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO ${schema}.sneks (id, name, type, content, name_key, name_folded) VALUES ('t0', 'Other', 'cute', 'x', 'other', 'other')`);
      const { load, wrote, release } = holdingLoad(store, () => store.putMany(sneks(0, 600)));
      const waiting = () => withClient(async (client) => ((await client.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [`snek ${schema}`])).rowCount ?? 0) > 0);
      await until('the drop to wait for the write', waiting);
      await writer.query('COMMIT');
      await wrote;
      // The load's own builds hold SHARE on the log until its commit; no other lock of that mode is taken on it.
      const shareOnLog = await withClient(async (client) => (await client.query(`SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1 AND l.relation = '${schema}.changes'::regclass AND l.mode = 'ShareLock' AND l.granted`, [`snek ${schema}`])).rowCount);
      expect(shareOnLog).toBe(1);
      release();
      await load;
    } finally {
      await writer.end();
    }
    expect(await indexesOf(schema)).toEqual(EVERY_INDEX);
    expect(await store.get('t0')).toEqual({ id: 't0', name: 'Other', type: 'cute', content: 'x' });
    expect(await store.get('s0599')).toEqual(snek(599));
    expect((await store.changes({ limit: 1000 })).map((change) => change.id)).toEqual(sneks(0, 600).map((s) => s.id));
    expect(await store.countTypes()).toEqual([{ type: 'cute', count: 301 }, { type: 'plain', count: 300 }]);
  });

  it('a call that fails inside a load undoes only itself: the load goes on and commits the rest', async () => {
    const schema = uniqueSchema('bulk');
    schemas.push(schema);
    const store = await create(schema);
    await store.bulkLoad(async () => {
      await store.putMany(sneks(0, 600));
      // PostgreSQL refuses a NUL in text (SQLSTATE 22021): the statement fails, and with it only its savepoint.
      await assert.rejects(store.putMany([{ ...snek(600), content: 'a\u0000b' }]), (error) => SnekError.is(error) && error.code === 'STORE_UNAVAILABLE');
      await store.put(snek(601));
    });
    expect(await store.get('s0600')).toBeUndefined();
    expect(await store.get('s0601')).toEqual(snek(601));
    expect(await store.get('s0599')).toEqual(snek(599));
    expect((await store.changes({ order: 'desc', limit: 1 }))[0]?.id).toBe('s0601');
  });

  it('a load into an empty store (by COPY) writes every byte, counts and logs as row by row, and a conflict or a delete sends the rest the usual way', async () => {
    const schema = uniqueSchema('bulk');
    schemas.push(schema);
    const store = await create(schema);
    // The characters COPY's text format escapes, a \N that must stay text, and characters of two to four bytes in UTF-8.
    const odd: Snek = { id: 's0003', name: 'Back\\slash\ttab é 蛇 🐍', type: 'cute', content: 'a\\N\tb\r\nc\\\n🐍é蛇' };
    const first = sneks(0, 700).map((s) => (s.id === odd.id ? odd : s));
    const twice: Snek = { ...snek(10), content: 'the last of s0010 in the call' };
    const result = await store.bulkLoad(async () => {
      // Out of id order, and an id twice: the last one is written, and the changes follow id order.
      expect(await store.putMany([...first].reverse().concat(twice), { actor: { kind: 'token', id: 'loader' } })).toEqual({ created: 700 });
      expect((await store.createMany(sneks(700, 600))).created).toEqual(sneks(700, 600).map((s) => s.id));
      // An id the load wrote: its copy meets the primary key, and the batch goes row by row.
      expect((await store.createMany([snek(5), snek(1300)])).created).toEqual(['s1300']);
      expect(await store.putMany([{ ...snek(6), name: 'Renamed 6' }, snek(1301)])).toEqual({ created: 1 });
      expect(await store.delete('s0007')).toBe(true);
      expect(await store.putMany([snek(7), snek(1302)])).toEqual({ created: 2 });
      return 'loaded';
    });
    expect(result).toBe('loaded');
    expect(await store.get(odd.id)).toEqual(odd);
    expect(await store.get(twice.id)).toEqual(twice);
    expect(await store.get('s0006')).toEqual({ ...snek(6), name: 'Renamed 6' });
    const all: Snek[] = [];
    for (let cursor: string | undefined; ; ) {
      const page = await store.list({ limit: 500, ...(cursor === undefined ? {} : { cursor }) });
      all.push(...page.items);
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(all).toHaveLength(1303);
    expect(await store.countTypes()).toEqual([{ type: 'cute', count: all.filter((s) => s.type === 'cute').length }, { type: 'plain', count: all.filter((s) => s.type === 'plain').length }]);
    const log = [...(await store.changes({ limit: 1000 })), ...(await store.changes({ after: 1000, limit: 1000 }))];
    expect(log.map((change) => change.seq)).toEqual(log.map((_, i) => i + 1));
    expect(log.slice(0, 700).map((change) => change.id)).toEqual(first.map((s) => s.id));
    expect(log[3]).toMatchObject({ id: odd.id, op: 'put', snek: odd, actor: { kind: 'token', id: 'loader' } });
    expect(log[10]).toMatchObject({ id: twice.id, snek: twice });
    expect(log[700]).toMatchObject({ id: 's0700', op: 'put', actor: null });
    expect(Date.parse(log[700]!.at)).toBeGreaterThanOrEqual(Date.parse(log[0]!.at));
    expect((await store.changes({ id: 's0007' })).map((change) => change.op)).toEqual(['put', 'delete', 'put']);
    expect((await store.latestChanges(['s0006']))[0]?.snek).toEqual({ ...snek(6), name: 'Renamed 6' });
    expect((await store.search({ q: 'back', limit: 1 })).items.map((item) => item.snek.id)).toEqual([odd.id]);
    expect((await store.search({ q: '蛇 🐍', limit: 1 })).items.map((item) => item.snek.id)).toEqual([odd.id]);
  });

  it('a call of more sneks than one COPY carries writes them all, each with its change, in id order', async () => {
    const schema = uniqueSchema('bulk');
    schemas.push(schema);
    const store = await create(schema);
    const many = sneks(0, 5200);
    await store.bulkLoad(async () => {
      expect((await store.createMany(many)).created).toEqual(many.map((s) => s.id));
    });
    expect(await store.countTypes()).toEqual([{ type: 'cute', count: 2600 }, { type: 'plain', count: 2600 }]);
    const tail = await store.changes({ after: 4990, limit: 1000 });
    expect(tail.map((change) => [change.seq, change.id])).toEqual(many.slice(4990).map((s, i) => [4991 + i, s.id]));
    expect(tail.at(-1)?.snek).toEqual(snek(5199));
    expect(await store.get('s5000')).toEqual(snek(5000));
  });

  it('a small load keeps the indexes, and loads do not nest', async () => {
    const schema = uniqueSchema('bulk');
    schemas.push(schema);
    const store = await create(schema);
    const before = await indexesOf(schema);
    await store.bulkLoad(async () => {
      await store.putMany(sneks(0, 20));
      expect(await indexesOf(schema)).toEqual(before);
      await assert.rejects(store.bulkLoad(async () => undefined), (error) => SnekError.is(error) && /do not nest/.test(error.message));
    });
    expect((await store.list()).items).toHaveLength(20);
  });
});
