import type { SnekStore, StoreBulkWriter } from '@snek/core';
import { failsWith, same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { TRICKY_CONTENT, ids, padded, pageThrough, sampleSnek } from '../sample-sneks.js';

/** The optional putMany(), checked against get() and list(). */
export function bulkWritingSuite(harness: Harness<SnekStore & StoreBulkWriter>): void {
  harness.describe('putMany(sneks) (optional: StoreBulkWriter)', () => {
    harness.test('writes every snek byte for byte and counts only the new ids as created', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('t0', { content: 'replaced by putMany' }));
      const tricky = Object.values(TRICKY_CONTENT).map((content, i) => sampleSnek(`t${i}`, { content }));
      same(await store.putMany(tricky), { created: tricky.length - 1 });
      for (const snek of tricky) same(await store.get(snek.id), snek, `get(${snek.id}) after putMany`);
      same(await pageThrough(store), [...tricky].sort((a, b) => (a.id < b.id ? -1 : 1)));
    });

    harness.test('puts 600 sneks, each listed exactly once in id order', async (stores) => {
      const store = await stores.fresh();
      const all = padded('b', 600);
      same(await store.putMany([...all].reverse().map((id) => sampleSnek(id))), { created: 600 });
      same(ids(await pageThrough(store, { limit: 500 })), all);
    });

    harness.test('putMany([]) creates nothing', async (stores) => {
      const store = await stores.fresh();
      same(await store.putMany([]), { created: 0 });
      same(await store.list(), { items: [], nextCursor: null });
    });

    harness.test('fails with a SnekError STORE_CLOSED after close()', async (stores) => {
      const store = await stores.fresh();
      await stores.release(store);
      await failsWith('STORE_CLOSED', 'putMany() after close()', () => store.putMany([sampleSnek('a')]));
    });
  });
}
