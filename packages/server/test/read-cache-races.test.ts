import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { SnekError, type Snek, type SnekStore, type StoreChangeLog } from '@snek/core';
import { MemorySnekStore } from '@snek/store-memory';
import { ChangeTail } from '../src/change-tail.js';
import { cacheReads } from '../src/read-cache.js';

// The cache over a real memory store, with the store's reads held open or its log failing on cue: the orders of
// events that a busy server meets only by chance. Writes made on `store` itself stand for another server's.
const snek = (content: string): Snek => ({ id: 'x', name: 'X', type: 'race', content });

/**
 * The memory store, with `get` answering only when released (it reads at once, as a database snapshot would); with
 * `holdLatest`, `latestChanges` instead waits for the release before it reads.
 */
function heldStore(store: MemorySnekStore, holdLatest = false) {
  const held: Array<() => void> = [];
  let failing = false;
  const hold = () => new Promise<void>((resolve) => held.push(resolve));
  const view: SnekStore & StoreChangeLog = {
    get: async (id) => {
      const value = await store.get(id);
      if (!holdLatest) await hold();
      return value;
    },
    put: (one, options) => store.put(one, options),
    delete: (id, options) => store.delete(id, options),
    list: (query) => store.list(query),
    close: () => store.close(),
    changes: (query) => (failing ? Promise.reject(new SnekError('STORE_UNAVAILABLE', 'the log is down')) : store.changes(query)),
    latestChanges: async (ids) => {
      if (holdLatest) await hold();
      return store.latestChanges(ids);
    },
  };
  return {
    view,
    /** Lets the oldest held read answer, once one is held. */
    async release() {
      while (!held.length) await new Promise((resolve) => setImmediate(resolve));
      held.shift()!();
    },
    failLog: (fail: boolean) => (failing = fail),
  };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const tails: ChangeTail[] = [];
afterEach(async () => {
  await Promise.all(tails.splice(0).map((tail) => tail.close()));
});

async function setUp(maxStaleMs: number, { holdLatest = false, pollMs = 10 } = {}) {
  const store = new MemorySnekStore();
  const held = heldStore(store, holdLatest);
  const tail = new ChangeTail({ store: held.view, pollMs, logger: pino({ level: 'silent' }) });
  tails.push(tail);
  await tail.start();
  return { store, held, tail, cache: cacheReads(held.view, tail, maxStaleMs) };
}

/** Reads through the cache, releasing the store's read if the cache does not answer itself; says which answered. */
async function answer(cache: SnekStore, held: { release(): Promise<void> }): Promise<[string | undefined, 'cache' | 'store']> {
  const reading = cache.get('x');
  const cached = await Promise.race([reading.then(() => true), new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))]);
  if (!cached) await held.release();
  return [(await reading)?.content, cached ? 'cache' : 'store'];
}

const readThrough = async (cache: SnekStore, held: { release(): Promise<void> }) => (await answer(cache, held))[0];

describe('the read cache', () => {
  it('does not keep what a read saw when its snek changed while the read was in flight', async () => {
    const { store, held, tail, cache } = await setUp(60_000);
    await store.put(snek('v1'));
    const reading = cache.get('x');
    // The read has seen v1; now another server writes v2, and the tail applies it before the read answers.
    await store.put(snek('v2'));
    const seq = (await store.changes({ order: 'desc', limit: 1 }))[0]!.seq;
    tail.wake();
    await until(() => tail.lastSeq === seq);
    await held.release();
    expect((await reading)?.content).toBe('v1');
    // Had that read filled the cache, this would be v1 for the next minute.
    expect(await readThrough(cache, held)).toBe('v2');
  });

  it('does not keep a snek and a newest change that disagree, as when a write lands between the two reads', async () => {
    // A tail that reads the log only at start: what the cache holds is all that could answer for the next minute.
    const { store, held, cache } = await setUp(60_000, { holdLatest: true, pollMs: 60_000 });
    await store.put(snek('v1'));
    const reading = cache.get('x');
    // get has read v1; another server writes v2 before latestChanges reads, which then sees v2's change.
    await store.put(snek('v2'));
    await held.release();
    expect((await reading)?.content).toBe('v1');
    expect(await answer(cache, held)).toEqual(['v2', 'store']);
  });

  it('serves from the cache while the tail keeps up, drops an entry when its change arrives', async () => {
    const { store, held, tail, cache } = await setUp(60_000);
    await store.put(snek('v1'));
    expect(await answer(cache, held)).toEqual(['v1', 'store']);
    expect(await answer(cache, held)).toEqual(['v1', 'cache']);
    await store.put(snek('v2'));
    const seq = (await store.changes({ order: 'desc', limit: 1 }))[0]!.seq;
    await until(() => tail.lastSeq === seq);
    expect(await answer(cache, held)).toEqual(['v2', 'store']);
    expect(await answer(cache, held)).toEqual(['v2', 'cache']);
  });

  it('stops serving once the tail has not read the log for maxStaleMs, and reads the store instead', async () => {
    const { store, held, tail, cache } = await setUp(100);
    await store.put(snek('v1'));
    expect(await readThrough(cache, held)).toBe('v1');
    held.failLog(true);
    // Another server writes while this one cannot read the log: its cache must not answer v1 past the bound.
    await store.put(snek('v2'));
    await until(() => Date.now() - tail.lastReadStartedAt > 100);
    expect(await answer(cache, held)).toEqual(['v2', 'store']);
    held.failLog(false);
  });

  it("drops the snek a write through it names, so this server reads its own write", async () => {
    const { held, cache } = await setUp(60_000);
    await cache.put(snek('v1'));
    expect(await readThrough(cache, held)).toBe('v1');
    await cache.put(snek('v2'));
    expect(await readThrough(cache, held)).toBe('v2');
    await cache.delete('x');
    expect(await readThrough(cache, held)).toBeUndefined();
  });

  it('with maxStaleMs 0 holds nothing: every read goes to the store', async () => {
    const { store, held, cache } = await setUp(0);
    await store.put(snek('v1'));
    expect(await answer(cache, held)).toEqual(['v1', 'store']);
    expect(await answer(cache, held)).toEqual(['v1', 'store']);
  });
});
