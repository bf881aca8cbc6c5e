import assert from 'node:assert/strict';
import type { Snek, SnekStore, StoreSnapshot } from '@snek/core';
import { same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { sampleSnek } from '../sample-sneks.js';

async function collect<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const batch of batches) all.push(...batch);
  return all;
}

/** The optional StoreSnapshot: one consistent moment of the whole store, read in batches. */
export function snapshotSuite(harness: Harness<SnekStore & StoreSnapshot>): void {
  harness.describe('snapshot() (optional: StoreSnapshot)', () => {
    harness.test('holds every snek in id order, byte for byte, and no write made after it was taken', async (stores) => {
      const store = await stores.fresh();
      const before: Snek[] = ['c', 'a', 'b'].map((id) => sampleSnek(id));
      for (const snek of before) await store.put(snek);
      const view = await store.snapshot();
      try {
        await store.put(sampleSnek('d'));
        await store.put(sampleSnek('a', { content: 'changed after the snapshot\n' }));
        await store.delete('b');
        same(await collect(view.sneks(2)), [...before].sort((x, y) => (x.id < y.id ? -1 : 1)), 'the snapshot taken before the writes');
      } finally {
        await view.close();
      }
      await view.close();
      await assert.rejects(collect(view.sneks()), 'a read after close() rejects');
    });
  });
}
