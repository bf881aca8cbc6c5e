import { describe, expect, it } from '@jest/globals';
import { SnekError } from '@snek/core';
import type { Harness } from '../harness.js';
import { ORDER_PROBE_SLUGS, codeUnitSorted, ids, padded, pageThrough, sampleSnek } from '../sample-sneks.js';

export function listingSuite(harness: Harness): void {
  describe('list(query)', () => {
    it('pages through 250 sneks, visiting each exactly once in id order', async () => {
      const store = await harness.fresh();
      const all = padded('s', 250);
      // Written out of order, so the store must sort.
      for (const id of [...all].reverse()) await store.put(sampleSnek(id));
      for (const limit of [undefined, 7, 100, 500]) {
        const seen = ids(await pageThrough(store, limit === undefined ? {} : { limit }));
        expect(seen).toEqual(all);
      }
    });

    it('orders ids by code units, as `<` does: "-" < "." < digits < "_" < letters, "10" < "9", "a-c" < "ab"', async () => {
      const store = await harness.fresh();
      for (const id of ORDER_PROBE_SLUGS) await store.put(sampleSnek(id, { type: id.length % 2 ? 'odd' : 'even' }));
      expect(ids(await pageThrough(store, { limit: 3 }))).toEqual(codeUnitSorted(ORDER_PROBE_SLUGS));
      expect(ids(await pageThrough(store, { type: 'odd', limit: 2 }))).toEqual(codeUnitSorted(ORDER_PROBE_SLUGS.filter((id) => id.length % 2)));
    });

    it('gives 100 sneks by default and at most 500', async () => {
      const store = await harness.fresh();
      for (const id of padded('m', 501)) await store.put(sampleSnek(id));
      expect((await store.list()).items).toHaveLength(100);
      expect((await store.list({ limit: 500 })).items).toHaveLength(500);
      expect((await store.list({ limit: 5000 })).items.length).toBeLessThanOrEqual(500);
    });

    it('gives nextCursor null on the last page, even when it is exactly full', async () => {
      const store = await harness.fresh();
      for (const id of ['a', 'b', 'c', 'd']) await store.put(sampleSnek(id));
      const first = await store.list({ limit: 2 });
      expect(ids(first.items)).toEqual(['a', 'b']);
      expect(first.nextCursor).not.toBeNull();
      const last = await store.list({ limit: 2, cursor: first.nextCursor! });
      expect(last).toEqual({ items: [sampleSnek('c'), sampleSnek('d')], nextCursor: null });
    });

    it('filters by name, by type and by both, by exact match', async () => {
      const store = await harness.fresh();
      await store.put(sampleSnek('a', { name: 'Sid', type: 'cute' }));
      await store.put(sampleSnek('b', { name: 'Sid', type: 'fancy' }));
      await store.put(sampleSnek('c', { name: 'Sidney', type: 'cute' }));
      await store.put(sampleSnek('d', { name: 'sid', type: 'cute' }));
      await store.put(sampleSnek('e', { name: 'Sid', type: 'cutest' }));
      expect(ids(await pageThrough(store, { name: 'Sid' }))).toEqual(['a', 'b', 'e']);
      expect(ids(await pageThrough(store, { type: 'cute', limit: 1 }))).toEqual(['a', 'c', 'd']);
      expect(ids(await pageThrough(store, { name: 'Sid', type: 'cute' }))).toEqual(['a']);
      expect(ids(await pageThrough(store, { name: 'Nobody' }))).toEqual([]);
    });

    it('follows a snek whose name or type changes to its new filter', async () => {
      const store = await harness.fresh();
      await store.put(sampleSnek('a', { type: 'cute' }));
      await store.put(sampleSnek('a', { type: 'fancy' }));
      expect(ids(await pageThrough(store, { type: 'cute' }))).toEqual([]);
      expect(ids(await pageThrough(store, { type: 'fancy' }))).toEqual(['a']);
    });

    it('stays correct when sneks are deleted between pages: no repeats, no skips', async () => {
      const store = await harness.fresh();
      for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) await store.put(sampleSnek(id));
      const first = await store.list({ limit: 2 });
      expect(ids(first.items)).toEqual(['a', 'b']);
      await store.delete('b');
      await store.delete('c');
      const second = await store.list({ limit: 2, cursor: first.nextCursor! });
      expect(ids(second.items)).toEqual(['d', 'e']);
      const third = await store.list({ limit: 2, cursor: second.nextCursor! });
      expect(third).toEqual({ items: [sampleSnek('f')], nextCursor: null });
    });

    it('rejects a cursor it never issued with a SnekError SNEK_INVALID', async () => {
      const store = await harness.fresh();
      await store.put(sampleSnek('a'));
      for (const cursor of ['garbage!', '%%', 'eA', '']) {
        const error = await store.list({ cursor }).then(() => undefined, (e: unknown) => e);
        expect([cursor, SnekError.hasCode(error, 'SNEK_INVALID')]).toEqual([cursor, true]);
      }
    });
  });
}
