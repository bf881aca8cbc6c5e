import { createServer } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import type { SnekStore } from '@snek/core';
import { sampleSnek } from '@snek/store-testkit';
import plugin, { PostgresSnekStore, SCHEMA_VERSION } from '../src/index.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { cleanedUp, uniqueSchema, withClient } from './helpers/test-schemas.js';
import { rejection } from '../../core/test/helpers/rejection.js';

const available = await pgAvailable();
const { schemas, open } = cleanedUp<SnekStore>(available);

function fresh(label = 'store'): string {
  const schema = uniqueSchema(label);
  schemas.push(schema);
  return schema;
}

async function create(options: Record<string, unknown>, deadline?: number): Promise<PostgresSnekStore> {
  const store = (await plugin.create({ url: TEST_PG_URL, ...options }, { configDir: process.cwd(), ...(deadline === undefined ? {} : { deadline }) })) as PostgresSnekStore;
  open.push(store);
  return store;
}


/** A loopback port where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const query = <R extends Record<string, unknown>>(text: string, values: unknown[] = []) => withClient(async (client) => (await client.query<R>(text, values)).rows);

(available ? describe : describe.skip)('PostgresSnekStore', () => {
  it('migrates a fresh schema, keeps every object in it, and orders id and type byte by byte (COLLATE "C")', async () => {
    const schema = fresh();
    const store = await create({ schema });
    expect(await store.status()).toMatchObject({ host: '127.0.0.1', port: 5432, database: 'test', schema, schemaVersion: SCHEMA_VERSION });
    const tables = await query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema]);
    expect(tables.map((row) => row.table_name)).toEqual(['change_counter', 'changes', 'schema_migrations', 'seeded_pack_sneks', 'sneks', 'type_counts', 'unlogged_sneks']);
    const columns = await query<{ column_name: string; collation_name: string | null }>("SELECT column_name, collation_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'sneks' ORDER BY column_name", [schema]);
    expect(Object.fromEntries(columns.map((row) => [row.column_name, row.collation_name]))).toMatchObject({ id: 'C', type: 'C' });
  });

  it('three stores created at once on a fresh schema migrate it exactly once', async () => {
    const schema = fresh('race');
    const stores = await Promise.all([0, 1, 2].map(() => create({ schema })));
    const versions = await query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
    expect(versions.map((row) => row.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    // All three serve the same sneks.
    await stores[0]!.put(sampleSnek('shared'));
    expect(await stores[2]!.get('shared')).toEqual(sampleSnek('shared'));
  });

  it('gives created: true exactly once per id when three stores race to put it', async () => {
    const schema = fresh('created');
    const stores = await Promise.all([0, 1, 2].map(() => create({ schema })));
    const ids = Array.from({ length: 30 }, (_, i) => `race-${i}`);
    const results = await Promise.all(ids.flatMap((id) => stores.map((store, n) => store.put(sampleSnek(id, { content: `from ${n}` })))));
    expect(results.filter((result) => result.created)).toHaveLength(ids.length);
  });

  it('refuses a schema from a newer release with STORE_INIT_FAILED', async () => {
    const schema = fresh('future');
    await (await create({ schema })).close();
    await query(`INSERT INTO "${schema}".schema_migrations (version) VALUES ($1)`, [SCHEMA_VERSION + 1]);
    const error = await rejection(() => create({ schema }));
    expect([error.code, error.message]).toEqual(['STORE_INIT_FAILED', expect.stringContaining(`version ${SCHEMA_VERSION + 1}`)]);
  });

  it('escapes the schema name everywhere: quotes, spaces and SQL in it are just a name', async () => {
    const schema = fresh('we"ird; DROP TABLE x; --');
    const store = await create({ schema });
    expect(await store.put(sampleSnek('a'))).toEqual({ created: true });
    expect(await store.putMany([sampleSnek('b'), sampleSnek('a')])).toEqual({ created: 1 });
    expect((await store.list()).items.map((snek) => snek.id)).toEqual(['a', 'b']);
    expect(await store.countTypes()).toEqual([{ type: 'plain', count: 2 }]);
    await store.recordSeeded(['a']);
    expect(await store.seeded(['a', 'b'])).toEqual(['a']);
    expect(await store.delete('a')).toBe(true);
  });

  it('putMany counts as created only the ids that were new; the last of a repeated id wins', async () => {
    const store = await create({ schema: fresh() });
    await store.put(sampleSnek('old'));
    const many = Array.from({ length: 1200 }, (_, i) => sampleSnek(`bulk-${String(i).padStart(4, '0')}`));
    expect(await store.putMany([...many, sampleSnek('old', { content: 'new art' }), sampleSnek('twice', { content: 'first' }), sampleSnek('twice', { content: 'second' })])).toEqual({ created: 1201 });
    expect((await store.get('old'))!.content).toBe('new art');
    expect((await store.get('twice'))!.content).toBe('second');
    expect(await store.putMany([])).toEqual({ created: 0 });
  });

  it('keeps a seed ledger: seeded() answers only recorded ids, recording twice does nothing, and it lasts', async () => {
    const schema = fresh('ledger');
    const store = await create({ schema });
    expect(await store.seeded(['a', 'b'])).toEqual([]);
    await store.recordSeeded(['a', 'c']);
    await store.recordSeeded(['a']);
    expect(await store.seeded(['c', 'b', 'a'])).toEqual(['c', 'a']);
    // The ledger does not depend on the sneks themselves.
    await store.put(sampleSnek('b'));
    expect(await store.seeded(['b'])).toEqual([]);
    await store.close();
    const reopened = await create({ schema });
    expect(await reopened.seeded(['a', 'b', 'c'])).toEqual(['a', 'c']);
    expect(await query(`SELECT id FROM "${schema}".seeded_pack_sneks ORDER BY id`)).toEqual([{ id: 'a' }, { id: 'c' }]);
  });

  it('browse() reads each snek\'s newest change with its page in every sort, so the server asks no latestChanges for it', async () => {
    const store = await create({ schema: fresh('browse') });
    await store.put(sampleSnek('a'), { actor: { kind: 'token', id: 'first' } });
    await store.put(sampleSnek('a'), { actor: { kind: 'token', id: 'second' } });
    await store.put(sampleSnek('b'));
    const [a, b] = (await store.latestChanges(['a', 'b'])).sort((x, y) => x.seq - y.seq);
    for (const sort of ['id', 'name', 'updated'] as const) {
      const { items } = await store.browse({ sort, limit: 5 });
      const latest = Object.fromEntries(items.map((item) => [item.snek.id, item.latest]));
      expect(latest).toEqual({ a: { seq: a!.seq, actor: { kind: 'token', id: 'second' }, at: a!.at }, b: { seq: b!.seq, actor: null, at: b!.at } });
    }
  });

  it('closing one store leaves another on the same schema working', async () => {
    const schema = fresh();
    const [one, two] = await Promise.all([create({ schema }), create({ schema })]);
    await one!.close();
    expect(await two!.put(sampleSnek('still'))).toEqual({ created: true });
    expect((await rejection(() => one!.get('still'))).code).toBe('STORE_CLOSED');
  });

  it('survives PostgreSQL dropping its connections: no crash, and the next call reconnects', async () => {
    const schema = fresh('dropped');
    const store = await create({ schema });
    await Promise.all([store.put(sampleSnek('a')), store.put(sampleSnek('b')), store.get('a')]);
    const killed = await query("SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()", [`snek ${schema}`]);
    expect(killed.length).toBeGreaterThan(0);
    // The idle connections' errors reach the pool's listener (without one, the process would crash).
    let broken = 0;
    for (let tries = 0; tries < 100 && broken === 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      broken = ((await store.status().catch(() => undefined))?.['pool'] as { broken: number } | undefined)?.broken ?? 0;
    }
    expect(broken).toBeGreaterThan(0);
    // A call may meet a connection the pool has not noticed is dead yet: it fails alone, and later calls work.
    for (let tries = 0; tries < 20; tries++) {
      if ((await store.get('a').catch(() => undefined)) !== undefined) break;
    }
    expect(await store.get('b')).toEqual(sampleSnek('b'));
    expect(await store.put(sampleSnek('c'))).toEqual({ created: true });
  });

  it('a statement stuck behind a lock fails with STORE_UNAVAILABLE after statementTimeout instead of hanging', async () => {
    const schema = fresh('stuck');
    const store = await create({ schema, statementTimeout: 0.5 });
    await withClient(async (client) => {
      await client.query('BEGIN');
      await client.query(`LOCK TABLE "${schema}".sneks IN ACCESS EXCLUSIVE MODE`);
      const error = await rejection(() => store.get('a'));
      await client.query('ROLLBACK');
      expect([error.code, error.message]).toEqual(['STORE_UNAVAILABLE', expect.stringContaining('127.0.0.1:5432, database "test"')]);
    });
    expect(await store.get('a')).toBeUndefined();
  });

  it('retries while nothing listens, then fails with STORE_INIT_FAILED naming host, port and database, never the password', async () => {
    const port = await closedPort();
    const error = await rejection(() => plugin.create({ url: `postgres://snek:Sup3r-s3cret%21@127.0.0.1:${port}/sneks`, schema: fresh() }, { configDir: process.cwd(), deadline: Date.now() + 2500 }));
    expect(error.code).toBe('STORE_INIT_FAILED');
    expect(error.message).toContain(`127.0.0.1:${port}, database "sneks"`);
    expect(Number(/\((\d+) attempts/.exec(error.message)?.[1])).toBeGreaterThan(1);
    for (const text of [error.message, JSON.stringify(error.details), String(error.stack)]) {
      expect(text).not.toContain('Sup3r-s3cret');
    }
  });

  it('does not retry what waiting cannot fix: a database that does not exist', async () => {
    const error = await rejection(() => plugin.create({ url: `postgres://postgres:pw-never-shown@127.0.0.1:5432/no_such_db_${process.pid}` }, { configDir: process.cwd(), deadline: Date.now() + 60_000 }));
    expect(error.message).toMatch(/^Cannot connect to PostgreSQL at 127\.0\.0\.1:5432, database "no_such_db_\d+" as user "postgres" \(1 attempt in/);
    expect(error.message).not.toContain('pw-never-shown');
  });
});

(available ? describe : describe.skip)('postgres store options', () => {
  it('reads the url from the variable urlEnv names', async () => {
    process.env['SNEK_H3_TEST_URL'] = TEST_PG_URL;
    try {
      const store = await create({ url: undefined, urlEnv: 'SNEK_H3_TEST_URL', schema: fresh() });
      expect((await store.status())['database']).toBe('test');
    } finally {
      delete process.env['SNEK_H3_TEST_URL'];
    }
  });

  it('without url, connects where the PG* variables say', async () => {
    const { hostname, port, pathname, username } = new URL(TEST_PG_URL);
    const saved = { ...process.env };
    Object.assign(process.env, { PGHOST: hostname, PGPORT: port || '5432', PGDATABASE: pathname.slice(1), PGUSER: username });
    try {
      const store = (await plugin.create({ schema: fresh() }, { configDir: process.cwd() })) as PostgresSnekStore;
      open.push(store);
      expect(await store.status()).toMatchObject({ host: hostname, database: pathname.slice(1) });
    } finally {
      for (const key of ['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER']) if (saved[key] === undefined) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it.each([
    ['an unknown option', { file: 'x' }, 'file: unknown key'],
    ['url and urlEnv together', { url: TEST_PG_URL, urlEnv: 'X' }, 'urlEnv: give url or urlEnv, not both'],
    ['a url that is not postgres://', { url: 'mysql://x' }, 'url: must start with postgres://'],
    ['pool.max 0', { pool: { max: 0 } }, 'pool.max'],
    ['an empty schema', { schema: '' }, 'schema'],
    ['a schema over 63 bytes', { schema: 'é'.repeat(32) }, 'schema: must be at most 63 bytes'],
    ['a negative statementTimeout', { statementTimeout: -1 }, 'statementTimeout'],
  ])('refuses %s with STORE_OPTIONS_INVALID naming it', async (_label, options, named) => {
    const error = await rejection(() => plugin.create(options as never, { configDir: process.cwd() }));
    expect([error.code, error.message]).toEqual(['STORE_OPTIONS_INVALID', expect.stringContaining(named)]);
  });

  it('names an unset urlEnv variable, and a bad url never shows its password', async () => {
    const unset = await rejection(() => plugin.create({ urlEnv: 'SNEK_H3_NOT_SET' }, { configDir: process.cwd() }));
    expect([unset.code, unset.message]).toEqual(['STORE_OPTIONS_INVALID', expect.stringContaining('SNEK_H3_NOT_SET')]);
    for (const url of ['ftp://user:hunter2@host/db', 'postgres://user:hunter2@[not-a-host/db']) {
      const bad = await rejection(() => plugin.create({ url }, { configDir: process.cwd() }));
      expect([bad.code, bad.message.includes('hunter2'), JSON.stringify(bad.details).includes('hunter2'), bad.cause]).toEqual(['STORE_OPTIONS_INVALID', false, false, undefined]);
    }
  });
});
