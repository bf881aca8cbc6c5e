import assert from 'node:assert/strict';
import { failsWith, same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { ORDER_PROBE_SLUGS, codeUnitSorted, ids, padded, pageThrough, sampleSnek } from '../sample-sneks.js';

export function listingSuite(harness: Harness): void {
  harness.describe('list(query)', () => {
    harness.test('pages through 250 sneks, visiting each exactly once in id order', async (stores) => {
      const store = await stores.fresh();
      const all = padded('s', 250);
      // Written out of order, so the store must sort.
      for (const id of [...all].reverse()) await store.put(sampleSnek(id));
      for (const limit of [undefined, 7, 100, 500]) {
        const seen = ids(await pageThrough(store, limit === undefined ? {} : { limit }));
        same(seen, all);
      }
    });

    harness.test('orders ids by code units, as `<` does: "-" < "." < digits < "_" < letters, "10" < "9", "a-c" < "ab"', async (stores) => {
      const store = await stores.fresh();
      for (const id of ORDER_PROBE_SLUGS) await store.put(sampleSnek(id, { type: id.length % 2 ? 'odd' : 'even' }));
      same(ids(await pageThrough(store, { limit: 3 })), codeUnitSorted(ORDER_PROBE_SLUGS));
      same(ids(await pageThrough(store, { type: 'odd', limit: 2 })), codeUnitSorted(ORDER_PROBE_SLUGS.filter((id) => id.length % 2)));
    });

    harness.test('gives 100 sneks by default and at most 500', async (stores) => {
      const store = await stores.fresh();
      for (const id of padded('m', 501)) await store.put(sampleSnek(id));
      assert.equal((await store.list()).items.length, 100);
      assert.equal((await store.list({ limit: 500 })).items.length, 500);
      assert.ok((await store.list({ limit: 5000 })).items.length <= 500, 'list({ limit: 5000 }) gave more than 500 sneks');
    });

    harness.test('gives nextCursor null on the last page, even when it is exactly full', async (stores) => {
      const store = await stores.fresh();
      for (const id of ['a', 'b', 'c', 'd']) await store.put(sampleSnek(id));
      const first = await store.list({ limit: 2 });
      same(ids(first.items), ['a', 'b']);
      assert.notEqual(first.nextCursor, null, 'nextCursor is null on a page that has a next one');
      const last = await store.list({ limit: 2, cursor: first.nextCursor! });
      same(last, { items: [sampleSnek('c'), sampleSnek('d')], nextCursor: null });
    });

    harness.test('filters by name, by type and by both, by exact match', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('a', { name: 'Sid', type: 'cute' }));
      await store.put(sampleSnek('b', { name: 'Sid', type: 'fancy' }));
      await store.put(sampleSnek('c', { name: 'Sidney', type: 'cute' }));
      await store.put(sampleSnek('d', { name: 'sid', type: 'cute' }));
      await store.put(sampleSnek('e', { name: 'Sid', type: 'cutest' }));
      same(ids(await pageThrough(store, { name: 'Sid' })), ['a', 'b', 'e']);
      same(ids(await pageThrough(store, { type: 'cute', limit: 1 })), ['a', 'c', 'd']);
      same(ids(await pageThrough(store, { name: 'Sid', type: 'cute' })), ['a']);
      same(ids(await pageThrough(store, { name: 'Nobody' })), []);
    });

    harness.test('follows a snek whose name or type changes to its new filter', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('a', { type: 'cute' }));
      await store.put(sampleSnek('a', { type: 'fancy' }));
      same(ids(await pageThrough(store, { type: 'cute' })), []);
      same(ids(await pageThrough(store, { type: 'fancy' })), ['a']);
    });

    harness.test('stays correct when sneks are deleted between pages: no repeats, no skips', async (stores) => {
      const store = await stores.fresh();
      for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) await store.put(sampleSnek(id));
      const first = await store.list({ limit: 2 });
      same(ids(first.items), ['a', 'b']);
      await store.delete('b');
      await store.delete('c');
      const second = await store.list({ limit: 2, cursor: first.nextCursor! });
      same(ids(second.items), ['d', 'e']);
      const third = await store.list({ limit: 2, cursor: second.nextCursor! });
      same(third, { items: [sampleSnek('f')], nextCursor: null });
    });

    harness.test('rejects a cursor it never issued with a SnekError SNEK_INVALID', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('a'));
      for (const cursor of ['garbage!', '%%', 'eA', '']) await failsWith('SNEK_INVALID', `list({ cursor: ${JSON.stringify(cursor)} })`, () => store.list({ cursor }));
    });
  });
}
