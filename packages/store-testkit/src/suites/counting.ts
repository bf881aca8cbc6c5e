import type { SnekStore, StoreTypeCounter, TypeCount } from '@snek/core';
import { failsWith, same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { ORDER_PROBE_SLUGS, codeUnitSorted, pageThrough, sampleSnek } from '../sample-sneks.js';

/** What countTypes() must equal: the counts from a walk through list(). */
export async function walkedCounts(store: SnekStore): Promise<TypeCount[]> {
  const counts = new Map<string, number>();
  for (const snek of await pageThrough(store, { limit: 500 })) counts.set(snek.type, (counts.get(snek.type) ?? 0) + 1);
  return codeUnitSorted([...counts.keys()]).map((type) => ({ type, count: counts.get(type)! }));
}

/** The optional countTypes(), checked against a walk through list(). */
export function countingSuite(harness: Harness<SnekStore & StoreTypeCounter>): void {
  harness.describe('countTypes() (optional: StoreTypeCounter)', () => {
    harness.test('gives [] for an empty store', async (stores) => {
      const store = await stores.fresh();
      same(await store.countTypes(), []);
    });

    harness.test('equals a walk through list(), types in code-unit order, as `<` compares', async (stores) => {
      const store = await stores.fresh();
      let n = 0;
      for (const type of ORDER_PROBE_SLUGS) {
        for (let copies = 0; copies <= type.length % 3; copies++) await store.put(sampleSnek(`s${n++}`, { type }));
      }
      const counted = await store.countTypes();
      same(
        counted.map((entry) => entry.type),
        codeUnitSorted(ORDER_PROBE_SLUGS),
      );
      same(counted, await walkedCounts(store));
    });

    harness.test('follows puts that change a type and deletes; a type with no snek left is gone', async (stores) => {
      const store = await stores.fresh();
      for (const id of ['a', 'b', 'c']) await store.put(sampleSnek(id, { type: 'cute' }));
      await store.put(sampleSnek('d', { type: 'fancy' }));
      await store.put(sampleSnek('a', { type: 'fancy' }));
      await store.put(sampleSnek('a', { name: 'renamed', type: 'fancy' }));
      await store.delete('d');
      await store.delete('b');
      same(await store.countTypes(), [
        { type: 'cute', count: 1 },
        { type: 'fancy', count: 1 },
      ]);
      await store.delete('c');
      same(await store.countTypes(), [{ type: 'fancy', count: 1 }]);
      same(await store.countTypes(), await walkedCounts(store));
    });

    harness.test('stays exact after racing writers: puts, type changes, deletes and bulk writes of the same ids at once', async (stores) => {
      const store = await stores.fresh();
      const types = ['cute', 'fancy', 'plain'];
      const writer = async (w: number) => {
        for (let n = 0; n < 40; n++) {
          const id = `r${(w * 13 + n * 7) % 25}`;
          const type = types[(w + n) % types.length]!;
          if ((w + n) % 5 === 0) await store.delete(id);
          else await store.put(sampleSnek(id, { type }));
        }
      };
      const bulk = async () => {
        const withBulk = store as SnekStore & { putMany?: (sneks: ReturnType<typeof sampleSnek>[]) => Promise<unknown> };
        for (let n = 0; n < 5; n++) {
          const batch = Array.from({ length: 10 }, (_, i) => sampleSnek(`r${(n * 5 + i) % 25}`, { type: types[(n + i) % types.length]! }));
          if (typeof withBulk.putMany === 'function') await withBulk.putMany(batch);
          else for (const snek of batch) await store.put(snek);
        }
      };
      await Promise.all([...Array.from({ length: 8 }, (_, w) => writer(w)), bulk()]);
      same(await store.countTypes(), await walkedCounts(store));
    });

    harness.test('fails with a SnekError STORE_CLOSED after close()', async (stores) => {
      const store = await stores.fresh();
      await stores.release(store);
      await failsWith('STORE_CLOSED', 'countTypes() after close()', () => store.countTypes());
    });
  });
}
