import assert from 'node:assert/strict';
import type { SnekStore, StoreSeedLedger } from '@snek/core';
import { failsWith, same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { sampleSnek } from '../sample-sneks.js';

const sorted = (values: readonly string[]): string[] => [...values].sort();

/** The optional seed ledger: seeded(ids) gives back what recordSeeded(ids) recorded, snek or no snek. */
export function seedLedgerSuite(harness: Harness<SnekStore & StoreSeedLedger>): void {
  harness.describe('seeded(ids) and recordSeeded(ids) (optional: StoreSeedLedger)', () => {
    harness.test('a fresh store has recorded nothing, even after another store recorded', async (stores) => {
      const first = await stores.fresh();
      await first.recordSeeded(['a']);
      const second = await stores.fresh();
      same(await second.seeded(['a', 'b']), []);
    });

    harness.test('seeded(ids) gives the recorded ones among ids, whether their sneks exist or not', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('kept'));
      await store.put(sampleSnek('deleted'));
      await store.recordSeeded(['kept', 'deleted', 'never-a-snek']);
      await store.delete('deleted');
      same(sorted(await store.seeded(['kept', 'deleted', 'never-a-snek', 'unrecorded'])), ['deleted', 'kept', 'never-a-snek']);
      same(await store.seeded([]), []);
    });

    harness.test('recording an id twice, or nothing, changes nothing', async (stores) => {
      const store = await stores.fresh();
      await store.recordSeeded(['twice']);
      await store.recordSeeded(['twice', 'twice', 'new']);
      await store.recordSeeded([]);
      same(sorted(await store.seeded(['new', 'twice', 'other'])), ['new', 'twice']);
    });

    harness.test('recording puts and deletes no snek', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('a'));
      await store.recordSeeded(['a', 'b']);
      same(await store.get('a'), sampleSnek('a'));
      assert.equal(await store.get('b'), undefined);
    });

    harness.reopening.test('the record survives reopen', async (stores) => {
      let store = await stores.fresh();
      await store.recordSeeded(['durable']);
      store = await stores.reopen(store);
      same(await store.seeded(['durable', 'other']), ['durable']);
    });

    harness.test('fails with a SnekError STORE_CLOSED after close()', async (stores) => {
      const store = await stores.fresh();
      await stores.release(store);
      await failsWith('STORE_CLOSED', 'seeded() after close()', () => store.seeded(['a']));
      await failsWith('STORE_CLOSED', 'recordSeeded() after close()', () => store.recordSeeded(['a']));
    });
  });
}
