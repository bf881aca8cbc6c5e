import { describe, expect, it } from '@jest/globals';
import { SnekError, countsTypes, type SnekStore, type StoreTypeCounter, type TypeCount } from '@snek/core';
import type { Harness } from '../harness.js';
import { ORDER_PROBE_SLUGS, codeUnitSorted, pageThrough, sampleSnek } from '../sample-sneks.js';

/** What countTypes() must equal: the counts from a walk through list(). */
async function walkedCounts(store: SnekStore): Promise<TypeCount[]> {
  const counts = new Map<string, number>();
  for (const snek of await pageThrough(store, { limit: 500 })) counts.set(snek.type, (counts.get(snek.type) ?? 0) + 1);
  return codeUnitSorted([...counts.keys()]).map((type) => ({ type, count: counts.get(type)! }));
}

/**
 * The optional countTypes(), checked against a walk through list(). Jest cannot skip a test once it runs,
 * so for a store without countTypes each test ends after finding that out; the suite names say so.
 */
export function countingSuite(harness: Harness): void {
  const counter = async (): Promise<(SnekStore & StoreTypeCounter) | undefined> => {
    const store = await harness.fresh();
    return countsTypes(store) ? store : undefined;
  };

  describe('countTypes() (optional: checked only when the store has it)', () => {
    it('gives [] for an empty store', async () => {
      const store = await counter();
      if (!store) return;
      expect(await store.countTypes()).toEqual([]);
    });

    it('equals a walk through list(), types in code-unit order, as `<` compares', async () => {
      const store = await counter();
      if (!store) return;
      let n = 0;
      for (const type of ORDER_PROBE_SLUGS) {
        for (let copies = 0; copies <= type.length % 3; copies++) await store.put(sampleSnek(`s${n++}`, { type }));
      }
      const counted = await store.countTypes();
      expect(counted.map((entry) => entry.type)).toEqual(codeUnitSorted(ORDER_PROBE_SLUGS));
      expect(counted).toEqual(await walkedCounts(store));
    });

    it('follows puts that change a type and deletes; a type with no snek left is gone', async () => {
      const store = await counter();
      if (!store) return;
      for (const id of ['a', 'b', 'c']) await store.put(sampleSnek(id, { type: 'cute' }));
      await store.put(sampleSnek('d', { type: 'fancy' }));
      await store.put(sampleSnek('a', { type: 'fancy' }));
      await store.put(sampleSnek('a', { name: 'renamed', type: 'fancy' }));
      await store.delete('d');
      await store.delete('b');
      expect(await store.countTypes()).toEqual([
        { type: 'cute', count: 1 },
        { type: 'fancy', count: 1 },
      ]);
      await store.delete('c');
      expect(await store.countTypes()).toEqual([{ type: 'fancy', count: 1 }]);
      expect(await store.countTypes()).toEqual(await walkedCounts(store));
    });

    it('fails with a SnekError STORE_CLOSED after close()', async () => {
      const store = await counter();
      if (!store) return;
      await harness.release(store);
      const error = await Promise.resolve()
        .then(() => store.countTypes())
        .then(() => undefined, (e: unknown) => e);
      expect(SnekError.hasCode(error, 'STORE_CLOSED')).toBe(true);
    });
  });
}
