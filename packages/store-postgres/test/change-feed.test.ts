import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { feedsChanges } from '@snek/core';
import { sampleSnek } from '@snek/store-testkit';
import plugin, { PostgresSnekStore, changeChannel } from '../src/index.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';
import { dropSchemas, uniqueSchema, withClient } from './helpers/test-schemas.js';
import { rejection } from '../../core/test/helpers/rejection.js';
import { until } from './helpers/until.js';

// The change feed between two servers (two stores, two pools) on one schema: LISTEN on a connection of its own.
const available = await pgAvailable();
const schemas: string[] = [];
const open: PostgresSnekStore[] = [];
const proxies: TcpProxy[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});
afterAll(async () => {
  if (available) await dropSchemas(schemas);
});

function fresh(): string {
  const schema = uniqueSchema('feed');
  schemas.push(schema);
  return schema;
}

async function create(schema: string, options: Record<string, unknown> = {}): Promise<PostgresSnekStore> {
  const store = (await plugin.create({ url: TEST_PG_URL, schema, ...options }, { configDir: process.cwd() })) as PostgresSnekStore;
  open.push(store);
  return store;
}

/** A watcher that counts its wakes. */
async function watch(store: PostgresSnekStore) {
  const watcher = { wakes: 0, stop: async () => undefined as void };
  watcher.stop = await store.watchChanges(() => {
    watcher.wakes++;
  });
  return watcher;
}

/** The backends LISTENing for a schema's store. */
const listeners = (schema: string) =>
  withClient(async (client) => (await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN %' AND state = 'idle'", [`snek ${schema}`])).rows.map((row) => row.pid));

(available ? describe : describe.skip)('the postgres change feed', () => {
  it('wakes once it listens, and on every write another store makes', async () => {
    const schema = fresh();
    const [writer, reader] = await Promise.all([create(schema), create(schema)]);
    expect(feedsChanges(reader)).toBe(true);
    const watcher = await watch(reader);
    expect(watcher.wakes).toBe(1);
    await until('one listener', async () => (await listeners(schema)).length === 1);
    await writer.put(sampleSnek('a'));
    await until('the put to wake the reader', () => watcher.wakes >= 2);
    await writer.putMany([sampleSnek('b'), sampleSnek('c')]);
    await until('the putMany to wake the reader', () => watcher.wakes >= 3);
    await writer.delete('a');
    await until('the delete to wake the reader', () => watcher.wakes >= 4);
  });

  it('sends only the seq, on a channel of its schema: two schemas in one database never wake each other', async () => {
    const [mine, theirs] = [fresh(), fresh()];
    const [writer, otherWriter, reader] = await Promise.all([create(mine), create(theirs), create(mine)]);
    const payloads: string[] = [];
    await withClient(async (client) => {
      client.on('notification', (message) => payloads.push(`${message.channel} ${message.payload}`));
      await client.query(`LISTEN "${changeChannel(mine)}"`);
      const watcher = await watch(reader);
      await otherWriter.put(sampleSnek('theirs'));
      await writer.put(sampleSnek('first'));
      await writer.put(sampleSnek('second'));
      // Notifications reach each listener in commit order: had "theirs" reached the reader, it would count one more.
      await until('both puts to wake the reader', () => watcher.wakes >= 3);
      await until('both notifications to arrive', () => payloads.length >= 2);
      expect(watcher.wakes).toBe(3);
      expect(payloads).toEqual([`${changeChannel(mine)} 1`, `${changeChannel(mine)} 2`]);
    });
    expect(changeChannel(mine)).not.toBe(changeChannel(theirs));
    expect(changeChannel('x'.repeat(63)).length).toBeLessThanOrEqual(63);
  });

  it('after pg_terminate_backend of its backend, listens again, wakes, and wakes on the next write', async () => {
    const schema = fresh();
    const [writer, reader] = await Promise.all([create(schema), create(schema)]);
    const watcher = await watch(reader);
    const [pid] = await listeners(schema);
    await withClient((client) => client.query('SELECT pg_terminate_backend($1)', [pid]));
    await until('a new listener', async () => (await listeners(schema)).some((other) => other !== pid));
    // The reconnect wakes it, since a notification sent while it was away is lost.
    await until('the reconnect to wake the reader', () => watcher.wakes >= 2);
    const woken = watcher.wakes;
    await writer.put(sampleSnek('after'));
    await until('the put to wake the reader', () => watcher.wakes > woken);
    // The pool took no harm from the listener's loss.
    expect(await reader.get('after')).toEqual(sampleSnek('after'));
  });

  it('at listenUrl, survives PostgreSQL going away: retries while it is gone and listens again when it is back', async () => {
    const schema = fresh();
    const target = new URL(TEST_PG_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    proxies.push(proxy);
    const listenUrl = new URL(TEST_PG_URL);
    listenUrl.hostname = '127.0.0.1';
    listenUrl.port = String(proxy.port);
    const [writer, reader] = await Promise.all([create(schema), create(schema, { listenUrl: listenUrl.href, connectTimeout: 1 })]);
    const watcher = await watch(reader);
    expect(watcher.wakes).toBe(1);
    await proxy.cut();
    await until('the listener to be gone', async () => (await listeners(schema)).length === 0);
    // Only the feed goes through the proxy: the store's pool still answers, and writes go on.
    await writer.put(sampleSnek('while-away'));
    expect(await reader.get('while-away')).toEqual(sampleSnek('while-away'));
    await proxy.restore();
    await until('the reconnect to wake the reader', () => watcher.wakes >= 2);
    const woken = watcher.wakes;
    await writer.put(sampleSnek('back'));
    await until('the put to wake the reader', () => watcher.wakes > woken);
  });

  it('started while PostgreSQL is unreachable, resolves after its first attempt and listens once it can', async () => {
    const schema = fresh();
    const target = new URL(TEST_PG_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    proxies.push(proxy);
    const listenUrl = new URL(TEST_PG_URL);
    listenUrl.hostname = '127.0.0.1';
    listenUrl.port = String(proxy.port);
    const reader = await create(schema, { listenUrl: listenUrl.href, connectTimeout: 1 });
    await proxy.cut();
    const watcher = await watch(reader);
    expect(watcher.wakes).toBe(0);
    await proxy.restore();
    await until('the first connect to wake the reader', () => watcher.wakes >= 1);
    await until('one listener', async () => (await listeners(schema)).length === 1);
  });

  it('its stop function, and closing the store, close the connection', async () => {
    const schema = fresh();
    const [writer, reader] = await Promise.all([create(schema), create(schema)]);
    const stopped = await watch(reader);
    const running = await watch(reader);
    await until('two listeners', async () => (await listeners(schema)).length === 2);
    await stopped.stop();
    await stopped.stop();
    await until('one listener', async () => (await listeners(schema)).length === 1);
    await writer.put(sampleSnek('a'));
    await until('the running watcher to wake', () => running.wakes >= 2);
    expect(stopped.wakes).toBe(1);
    await reader.close();
    await until('every listener to be gone', async () => (await listeners(schema)).length === 0);
    expect((await rejection(() => reader.watchChanges(() => undefined))).code).toBe('STORE_CLOSED');
  });
});

(available ? describe : describe.skip)('postgres listenUrl options', () => {
  it('reads listenUrl from the variable listenUrlEnv names, and refuses both at once or an unset variable', async () => {
    process.env['SNEK_FEED_TEST_URL'] = TEST_PG_URL;
    try {
      const store = await create(fresh(), { listenUrlEnv: 'SNEK_FEED_TEST_URL' });
      const watcher = await watch(store);
      expect(watcher.wakes).toBe(1);
    } finally {
      delete process.env['SNEK_FEED_TEST_URL'];
    }
    const both = await rejection(() => plugin.create({ url: TEST_PG_URL, listenUrl: TEST_PG_URL, listenUrlEnv: 'X' }, { configDir: process.cwd() }));
    expect([both.code, both.message]).toEqual(['STORE_OPTIONS_INVALID', expect.stringContaining('listenUrlEnv: give listenUrl or listenUrlEnv, not both')]);
    const unset = await rejection(() => plugin.create({ url: TEST_PG_URL, listenUrlEnv: 'SNEK_FEED_NOT_SET' }, { configDir: process.cwd() }));
    expect([unset.code, unset.message]).toEqual(['STORE_OPTIONS_INVALID', expect.stringContaining('SNEK_FEED_NOT_SET')]);
    const bad = await rejection(() => plugin.create({ url: TEST_PG_URL, listenUrl: 'postgres://u:hunter2@[bad/db' }, { configDir: process.cwd() }));
    expect([bad.code, bad.message.includes('listenUrl'), bad.message.includes('hunter2')]).toEqual(['STORE_OPTIONS_INVALID', true, false]);
  });
});
