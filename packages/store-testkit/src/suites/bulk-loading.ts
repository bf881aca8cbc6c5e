import assert from 'node:assert/strict';
import { browsesSorted, countsTypes, createsInBulk, keepsChangeLog, searchesSneks, writesInBulk, type Snek, type SnekStore, type StoreBulkLoad } from '@snek/core';
import { same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { pageThrough, sampleSnek } from '../sample-sneks.js';
import { browseForward, referenceOrder } from './browsing.js';
import { walkedCounts } from './counting.js';
import { referenceSearch, searchThrough } from './searching.js';

// Enough rows that a store which defers its indexes only for a large load (sqlite past a threshold) does so here.
const LOAD = 3000;
const BATCH = 500;
const QUERIES = ['snek', 'loaded 12', 'numbr', 'renamed', 'cute', '7'];

/** The load's sneks: names a search ranks in every tier, spread over a few types. */
const loaded = (i: number): Snek => sampleSnek(`load-${String(i).padStart(5, '0')}`, { name: i % 5 === 0 ? `Snek number ${i}` : `Loaded ${i}`, type: ['cute', 'fancy', 'plain'][i % 3]!, content: `~${i}\n` });

async function writeBatch(store: SnekStore, sneks: Snek[]): Promise<void> {
  if (writesInBulk(store)) await store.putMany(sneks);
  else for (const snek of sneks) await store.put(snek);
}

/**
 * Every read the store has agrees with a walk through list(): counts, sorted pages, search, the newest changes. With
 * `twin`, a store given the same writes one by one, search agrees with the twin's instead: a store's search may be
 * exact only up to some size (sqlite's near misses past 1,000 sneks), and the contract asks the same answers as
 * without the load.
 */
async function readsAgree<S extends SnekStore>(store: S, what: string, twin?: S): Promise<void> {
  const all = await pageThrough(store, { limit: 500 });
  for (const snek of all.filter((_, i) => i % 97 === 0)) same(await store.get(snek.id), snek, `get(${snek.id}) ${what}`);
  if (countsTypes(store)) same(await store.countTypes(), await walkedCounts(store), `countTypes() ${what}`);
  if (browsesSorted(store)) {
    for (const sort of ['name', 'updated', 'id'] as const) {
      same((await browseForward(store, sort, undefined, 400)).map((item) => item.id), (await referenceOrder(store, sort)).map((item) => item.id), `browse sort=${sort} ${what}`);
    }
    same((await browseForward(store, 'name', 'cute', 400)).map((item) => item.id), (await referenceOrder(store, 'name', 'cute')).map((item) => item.id), `browse sort=name type=cute ${what}`);
  }
  if (searchesSneks(store)) for (const q of QUERIES) same(await searchThrough(store, q, undefined, 200), twin && searchesSneks(twin) ? await searchThrough(twin, q, undefined, 200) : await referenceSearch(store, q), `search "${q}" ${what}`);
  if (keepsChangeLog(store)) {
    const newest = await store.latestChanges(all.map((snek) => snek.id));
    same(newest.length, all.length, `latestChanges() of every snek ${what}`);
    const byId = new Map(all.map((snek) => [snek.id, snek]));
    for (const change of newest) same(change.snek, byId.get(change.id), `the newest change of ${change.id} ${what}`);
  }
}

/** The optional bulkLoad(): the same store after a load as after its writes one by one, whether it resolves or rejects. */
export function bulkLoadingSuite(harness: Harness<SnekStore & StoreBulkLoad>): void {
  harness.describe('bulkLoad(load) (optional: StoreBulkLoad)', () => {
    harness.test(`a load of ${LOAD} sneks, with replacements, renames, retypes and a delete, leaves every read agreeing with list()`, async (stores) => {
      const store = await stores.fresh();
      const twin = await stores.fresh();
      const before = async (target: SnekStore) => {
        for (let i = 0; i < 40; i++) await target.put(sampleSnek(`before-${i}`, { name: `Snek before ${i}`, type: i % 2 ? 'cute' : 'old' }));
      };
      const writes = async (target: SnekStore) => {
        for (let start = 0; start < LOAD; start += BATCH) await writeBatch(target, Array.from({ length: BATCH }, (_, k) => loaded(start + k)));
        // Replaced within the load: a snek it wrote, and ones from before it (renamed, retyped).
        await writeBatch(target, [sampleSnek('load-00007', { name: 'Renamed in the load', type: 'fancy' }), sampleSnek('before-3', { name: 'Renamed before 3', type: 'cute' }), sampleSnek('before-4', { name: 'Snek before 4', type: 'new' })]);
        if (createsInBulk(target)) same((await target.createMany([sampleSnek('load-00008', { content: 'not written' }), sampleSnek('created-late', { name: 'Snek created late' })])).created, ['created-late'], 'createMany() in the load');
        assert.equal(await target.delete('before-5'), true, 'delete() in the load');
        assert.equal(await target.delete('before-6'), true, 'delete() in the load');
        same(await target.get('load-00007'), sampleSnek('load-00007', { name: 'Renamed in the load', type: 'fancy' }), 'get() in the load, of a snek it replaced');
      };
      await before(store);
      const value = await store.bulkLoad(async () => (await writes(store), 'the value of load'));
      same(value, 'the value of load', 'what bulkLoad() resolves');
      await before(twin);
      await writes(twin);
      const all = await pageThrough(store, { limit: 500 });
      same(all.length, 40 - 2 + LOAD + (createsInBulk(store) ? 1 : 0), 'how many sneks list() walks after the load');
      same(await store.get('before-5'), undefined, 'a snek deleted in the load');
      same(await store.get('before-3'), sampleSnek('before-3', { name: 'Renamed before 3', type: 'cute' }));
      await readsAgree(store, 'after the load', twin);
      // Kept as usual once the load is over.
      for (const target of [store, twin]) {
        await target.put(sampleSnek('after', { name: 'Snek numbr after', type: 'late' }));
        await target.delete('load-00010');
      }
      await readsAgree(store, 'after writes that follow the load', twin);
    });

    harness.test('a load that throws rejects with its error, and every read agrees with what the store kept', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('kept', { name: 'Snek kept', type: 'cute' }));
      const failure = new Error('the source broke off');
      await assert.rejects(
        store.bulkLoad(async () => {
          for (let start = 0; start < LOAD; start += BATCH) await writeBatch(store, Array.from({ length: BATCH }, (_, k) => loaded(start + k)));
          await store.delete('kept');
          throw failure;
        }),
        (error) => error === failure,
        'bulkLoad() rejects with the error load threw',
      );
      await readsAgree(store, 'after a load that threw');
      await store.put(sampleSnek('after', { name: 'Snek numbr after', type: 'late' }));
      await readsAgree(store, 'after a write that follows a load that threw');
    });

    harness.test('an empty load changes nothing, and a load may follow a load', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('a', { name: 'Snek a' }));
      same(await store.bulkLoad(async () => 7), 7);
      await store.bulkLoad(async () => writeBatch(store, [sampleSnek('b', { name: 'Snek b' })]));
      await store.bulkLoad(async () => writeBatch(store, [sampleSnek('c', { name: 'Snek c' })]));
      same((await pageThrough(store)).map((snek) => snek.id), ['a', 'b', 'c']);
      await readsAgree(store, 'after three loads');
    });
  });
}
