import assert from 'node:assert/strict';
import type { SnekStore, StoreBulkCreator } from '@snek/core';
import { failsWith, same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { TRICKY_CONTENT, codeUnitSorted, ids, padded, pageThrough, sampleSnek } from '../sample-sneks.js';

/** The ids createMany() reported, in code-unit order: the contract gives them in no particular order. */
async function createdBy(store: SnekStore & StoreBulkCreator, sneks: Parameters<StoreBulkCreator['createMany']>[0]): Promise<string[]> {
  const { created } = await store.createMany(sneks);
  assert.ok(Array.isArray(created), `createMany() should resolve { created: string[] }, not ${JSON.stringify(created)}`);
  return codeUnitSorted(created);
}

/** The optional createMany(), checked against get() and list(): it creates only what is absent. */
export function bulkCreatingSuite(harness: Harness<SnekStore & StoreBulkCreator>): void {
  harness.describe('createMany(sneks) (optional: StoreBulkCreator)', () => {
    harness.test('creates every absent snek byte for byte, leaves present ones unchanged, and reports exactly the ids it created', async (stores) => {
      const store = await stores.fresh();
      const present = [sampleSnek('p0', { content: 'kept' }), sampleSnek('p1', { name: 'Kept', type: 'kept' })];
      for (const snek of present) await store.put(snek);
      const tricky = Object.values(TRICKY_CONTENT).map((content, i) => sampleSnek(`t${i}`, { content }));
      const clashing = present.map((snek) => sampleSnek(snek.id, { name: 'Not written', type: 'other', content: 'not written' }));
      same(await createdBy(store, [clashing[0]!, ...tricky, clashing[1]!]), codeUnitSorted(ids(tricky)), 'the ids createMany() reports');
      for (const snek of [...tricky, ...present]) same(await store.get(snek.id), snek, `get(${snek.id}) after createMany`);
      same(await pageThrough(store), [...present, ...tricky].sort((a, b) => (a.id < b.id ? -1 : 1)));
      same(await createdBy(store, tricky), [], 'createMany() of the same sneks again');
    });

    harness.test('creates the 300 absent of 600 sneks whose other 300 are present, each listed exactly once in id order', async (stores) => {
      const store = await stores.fresh();
      const all = padded('c', 600);
      const present = all.filter((_, i) => i % 2 === 1);
      for (const id of present) await store.put(sampleSnek(id, { content: 'there before' }));
      const absent = all.filter((_, i) => i % 2 === 0);
      same(await createdBy(store, [...all].reverse().map((id) => sampleSnek(id, { content: 'from createMany' }))), absent);
      const listed = await pageThrough(store, { limit: 500 });
      same(ids(listed), all);
      for (const snek of listed) assert.equal(snek.content, present.includes(snek.id) ? 'there before' : 'from createMany', `content of ${snek.id}`);
    });

    harness.test('of an id given more than once in one call, the first snek is created and the later ones count as present', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('held', { content: 'there before' }));
      const first = sampleSnek('twice', { content: 'first' });
      const batch = [first, sampleSnek('held', { content: 'one' }), sampleSnek('twice', { content: 'second' }), sampleSnek('held', { content: 'two' }), sampleSnek('twice', { content: 'third' })];
      same(await createdBy(store, batch), ['twice'], 'the ids createMany() reports, each once');
      same(await store.get('twice'), first, 'the snek created from three with one id');
      same(await store.get('held'), sampleSnek('held', { content: 'there before' }));
    });

    harness.test('createMany([]) creates nothing and reports no id', async (stores) => {
      const store = await stores.fresh();
      same(await store.createMany([]), { created: [] });
      same(await store.list(), { items: [], nextCursor: null });
    });

    harness.test('fails with a SnekError STORE_CLOSED after close()', async (stores) => {
      const store = await stores.fresh();
      await stores.release(store);
      await failsWith('STORE_CLOSED', 'createMany() after close()', () => store.createMany([sampleSnek('a')]));
    });
  });
}
