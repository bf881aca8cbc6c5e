import assert from 'node:assert/strict';
import { keepsChangeLog, writesInBulk, type Change, type Snek, type SnekStore, type SnapshotView, type StoreSnapshot } from '@snek/core';
import { failsWith, same } from '../assertions.js';
import { ADA, everyChange } from '../changes.js';
import type { Harness } from '../harness.js';
import { TRICKY_CONTENT, ids, padded, sampleSnek } from '../sample-sneks.js';

type SnapshotStore = SnekStore & StoreSnapshot;

async function collect<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const batch of batches) all.push(...batch);
  return all;
}

/** Every batch, each checked to hold at least one and at most `size` entries. */
async function batchesOf<T>(batches: AsyncIterable<T[]>, size: number, what: string): Promise<T[][]> {
  const all: T[][] = [];
  for await (const batch of batches) {
    assert.ok(batch.length >= 1 && batch.length <= size, `${what}: a batch of ${batch.length}; batches hold 1 to ${size}`);
    all.push(batch);
  }
  return all;
}

const byId = (sneks: Snek[]) => [...sneks].sort((x, y) => (x.id < y.id ? -1 : 1));

/** The store's log, or none for a store without one: what `changes()` of a snapshot taken now must hold. */
const logNow = async (store: SnekStore): Promise<Change[]> => (keepsChangeLog(store) ? everyChange(store) : []);

async function putAll(store: SnekStore, sneks: Snek[]): Promise<void> {
  if (writesInBulk(store)) await store.putMany(sneks);
  else for (let i = 0; i < sneks.length; i += 100) await Promise.all(sneks.slice(i, i + 100).map((snek) => store.put(snek)));
}

async function withView<T>(store: SnapshotStore, read: (view: SnapshotView) => Promise<T>): Promise<T> {
  const view = await store.snapshot();
  try {
    return await read(view);
  } finally {
    await view.close();
  }
}

/** The optional StoreSnapshot: one consistent moment of the whole store, read in batches. */
export function snapshotSuite(harness: Harness<SnapshotStore>): void {
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
        same(await collect(view.sneks(2)), byId(before), 'the snapshot taken before the writes');
      } finally {
        await view.close();
      }
      await view.close();
      await assert.rejects(collect(view.sneks()), 'a read after close() rejects');
    });

    harness.test('gives tricky art back byte for byte', async (stores) => {
      const store = await stores.fresh();
      const tricky = Object.values(TRICKY_CONTENT).map((content, i) => sampleSnek(`t${i}`, { content }));
      for (const snek of tricky) await store.put(snek);
      same(await withView(store, (view) => collect(view.sneks())), byId(tricky));
    });

    harness.test('its seq is the newest change at that moment, and changes() holds the log up to it and nothing after', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('a'), { actor: ADA });
      await store.put(sampleSnek('b'));
      await store.put(sampleSnek('a', { content: 'second\n' }));
      await store.delete('b');
      const log = await logNow(store);
      await withView(store, async (view) => {
        same(view.seq, log.at(-1)?.seq ?? 0, 'seq: the newest change before the snapshot (0 without a log)');
        await store.put(sampleSnek('c'));
        await store.delete('a');
        same(await collect(view.changes(3)), log, 'changes() of the snapshot: the log as it was when it was taken');
      });
    });

    harness.test('keeps the changes it holds while retention drops them from the store', async (stores) => {
      const store = await stores.fresh({ history: { keep: 2 } });
      for (let n = 0; n < 3; n++) await store.put(sampleSnek('a', { content: `version ${n}\n` }));
      const log = await logNow(store);
      await withView(store, async (view) => {
        for (let n = 3; n < 6; n++) await store.put(sampleSnek('a', { content: `version ${n}\n` }));
        same(await collect(view.changes()), log, 'changes() after retention dropped them from the store');
      });
    });

    harness.test('an empty store gives no batch, seq 0', async (stores) => {
      const store = await stores.fresh();
      await withView(store, async (view) => {
        same(view.seq, 0, 'seq of an empty store');
        same(await batchesOf(view.sneks(), 1000, 'sneks()'), [], 'sneks() of an empty store');
        same(await batchesOf(view.changes(), 1000, 'changes()'), [], 'changes() of an empty store');
      });
    });

    harness.test('streams 2,500 sneks in batches of at most the size asked for (default 1000), each snek once, in id order', async (stores) => {
      const store = await stores.fresh();
      const all = padded('s', 2500);
      await putAll(store, [...all].reverse().map((id) => sampleSnek(id)));
      await withView(store, async (view) => {
        const sized = await batchesOf(view.sneks(7), 7, 'sneks(7)');
        same(sized.length, Math.ceil(2500 / 7), 'batches of 7');
        same(ids(sized.flat()), all, 'every snek once, in id order');
        const plain = await batchesOf(view.sneks(), 1000, 'sneks()');
        same(plain.map((batch) => batch.length), [1000, 1000, 500], 'batches of the default size');
        same(ids(plain.flat()), all, 'a second read of the same view');
        const log = await logNow(store);
        const changes = await batchesOf(view.changes(400), 400, 'changes(400)');
        same(changes.flat().map((change) => change.seq), log.map((change) => change.seq), 'changes(400): the whole log');
      });
    });

    harness.test('writes between its batches, ahead of the read and behind it, do not show', async (stores) => {
      const store = await stores.fresh();
      const before = padded('m', 10).map((id) => sampleSnek(id));
      await putAll(store, before);
      await withView(store, async (view) => {
        const seen: Snek[] = [];
        let n = 0;
        for await (const batch of view.sneks(2)) {
          seen.push(...batch);
          // Ahead of the read: a new id, a replaced one and a deleted one; behind it: a new id before every other.
          await store.put(sampleSnek(`m0${n}x`));
          await store.put(sampleSnek(before.at(-1)!.id, { content: `replaced ${n}\n` }));
          await store.delete(before[9 - n]!.id);
          await store.put(sampleSnek(`a${n}`));
          n++;
        }
        same(seen, before, 'the sneks read while the store was written');
      });
    });

    harness.test('two snapshots open at once each keep their own moment', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('a'));
      const first = await store.snapshot();
      try {
        await store.put(sampleSnek('b'));
        await withView(store, async (second) => {
          await store.put(sampleSnek('c'));
          same(ids(await collect(second.sneks())), ['a', 'b'], 'the second snapshot');
        });
        same(ids(await collect(first.sneks())), ['a'], 'the first snapshot, read after the second closed');
      } finally {
        await first.close();
      }
    });

    harness.test('close() in the middle of a read makes the next batch reject, and the store carries on', async (stores) => {
      const store = await stores.fresh();
      await putAll(store, padded('c', 5).map((id) => sampleSnek(id)));
      const view = await store.snapshot();
      const batches = view.sneks(2)[Symbol.asyncIterator]();
      same(ids((await batches.next()).value as Snek[]), ['c0', 'c1'], 'the first batch');
      await view.close();
      await failsWith('STORE_CLOSED', 'the next batch after close()', () => batches.next());
      await failsWith('STORE_CLOSED', 'changes() after close()', () => collect(view.changes()));
      await store.put(sampleSnek('d'));
      same((await store.get('d'))?.id, 'd', 'a write after the snapshot closed');
      await withView(store, async (again) => same((await collect(again.sneks())).length, 6, 'a new snapshot after one closed'));
    });

    harness.test('closing the store closes its open snapshots: their reads reject with STORE_CLOSED', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('a'));
      const view = await store.snapshot();
      await stores.release(store);
      await failsWith('STORE_CLOSED', 'sneks() of a snapshot after its store closed', () => collect(view.sneks()));
      await view.close();
      await failsWith('STORE_CLOSED', 'snapshot() after close()', () => store.snapshot());
    });

    harness.test('reads of the snapshot give copies: changing one changes neither the store nor a later read', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('a'));
      await withView(store, async (view) => {
        const [batch] = await batchesOf(view.sneks(), 1000, 'sneks()');
        batch![0]!.content = 'mutated by the caller';
        same(await collect(view.sneks()), [sampleSnek('a')], 'a second read');
      });
      same(await store.get('a'), sampleSnek('a'), 'the store');
    });
  });
}
