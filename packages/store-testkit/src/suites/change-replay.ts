import assert from 'node:assert/strict';
import type { Change, SnekStore, StoreChangeLog, StoreChangeReplay } from '@snek/core';
import { failsWith, same } from '../assertions.js';
import { ADA, CI, assertLogAgrees, everyChange } from '../changes.js';
import type { Harness } from '../harness.js';
import { padded, sampleSnek } from '../sample-sneks.js';

type ReplayStore = SnekStore & StoreChangeReplay & StoreChangeLog;

const at = (second: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, second)).toISOString();
const put = (seq: number, id: string, content = `~~~< ${id} ${seq}\n`): Change => ({ seq, id, op: 'put', snek: sampleSnek(id, { content }), actor: seq % 2 ? ADA : CI, at: at(seq % 60) });
const del = (seq: number, id: string): Change => ({ seq, id, op: 'delete', actor: null, at: at(seq % 60) });
const seqs = (changes: readonly Change[]) => changes.map((change) => change.seq);

/**
 * The optional StoreChangeReplay: changes from another store, written as they were. A store written to directly holds
 * changes of its own where replayed history would go; the contract refuses such a batch (REPLAY_CONFLICT) rather than
 * skip it or write older over newer, and these checks hold every store to that.
 */
export function changeReplaySuite(harness: Harness<SnekStore & StoreChangeReplay>): void {
  harness.describe('replayChanges(changes) (optional: StoreChangeReplay)', () => {
    harness.test('writes each change with its own seq, actor and time; a repeated replay writes nothing twice; later writes take higher seqs', async (stores) => {
      const store = (await stores.fresh()) as ReplayStore;
      const replayed: Change[] = [
        { seq: 5, id: 'a', op: 'put', snek: sampleSnek('a'), actor: ADA, at: '2026-01-02T03:04:05.006Z' },
        { seq: 9, id: 'b', op: 'put', snek: sampleSnek('b'), actor: CI, at: '2026-01-02T03:04:06.000Z' },
        { seq: 12, id: 'a', op: 'delete', actor: null, at: '2026-01-02T03:04:07.000Z' },
      ];
      await store.replayChanges(replayed);
      await store.replayChanges(replayed);
      same(await everyChange(store), replayed, 'the log after replaying twice');
      same(await store.get('a'), undefined, 'a, deleted by the last change');
      same(await store.get('b'), sampleSnek('b'), 'b');
      await store.put(sampleSnek('c'));
      const last = (await everyChange(store)).at(-1)!;
      same(last.id, 'c', 'the newest change');
      if (!(last.seq > 12)) throw new Error(`a write after the replay took seq ${last.seq}; it must be above 12`);
    });

    harness.test('a batch that overlaps one replayed before writes only its new changes', async (stores) => {
      const store = (await stores.fresh()) as ReplayStore;
      const first = [put(1, 'a'), put(2, 'b'), put(3, 'a')];
      const second = [put(2, 'b'), put(3, 'a'), del(4, 'b'), put(5, 'c')];
      await store.replayChanges(first);
      await store.replayChanges(second);
      same(await everyChange(store), [...first, del(4, 'b'), put(5, 'c')], 'the log after two overlapping batches');
      await assertLogAgrees(store, ['a', 'b', 'c'], 'after two overlapping batches');
    });

    harness.test("a replayed put over a snek the store wrote itself replaces it, and the log keeps both", async (stores) => {
      const store = (await stores.fresh()) as ReplayStore;
      await store.put(sampleSnek('a', { content: 'own\n' }), { actor: CI });
      const own = (await everyChange(store)).at(-1)!;
      const replayed = put(own.seq + 10, 'a', 'replayed over it\n');
      await store.replayChanges([replayed]);
      same(await store.get('a'), replayed.snek, 'a after the replayed put');
      same(await everyChange(store), [own, replayed], 'the log: the own write, then the replayed one');
      same(await store.latestChanges(['a']), [replayed], "latestChanges(['a'])");
    });

    harness.test('refuses with REPLAY_CONFLICT, writing none of the batch, where the store holds a write of its own at a replayed seq', async (stores) => {
      const store = (await stores.fresh()) as ReplayStore;
      await store.replayChanges([put(1, 'a'), put(2, 'b')]);
      // A write made directly, between two batches of a replay: it takes seq 3, which the source gave to another write.
      await store.put(sampleSnek('own'), { actor: CI });
      const before = await everyChange(store);
      same(seqs(before), [1, 2, 3], 'seqs after the own write');
      await failsWith('REPLAY_CONFLICT', 'replayChanges() of seqs 3 and 4 over an own write at seq 3', () => store.replayChanges([put(3, 'c'), del(4, 'a')]));
      same(await everyChange(store), before, 'the log after the refused batch');
      same(await store.get('a'), sampleSnek('a', { content: put(1, 'a').snek!.content }), 'a, which the refused batch would have deleted');
      same(await store.get('c'), undefined, 'c, which the refused batch would have put');
    });

    harness.test('a batch is atomic: a change that is not whole, or out of seq order, refuses the batch with SNEK_INVALID and writes none of it', async (stores) => {
      const store = (await stores.fresh()) as ReplayStore;
      await store.replayChanges([put(1, 'a')]);
      const before = await everyChange(store);
      const foreign = { ...put(3, 'c'), snek: sampleSnek('not-c') };
      await failsWith('SNEK_INVALID', 'replayChanges() whose second change puts a snek of another id', () => store.replayChanges([put(2, 'b'), foreign, put(4, 'd')]));
      await failsWith('SNEK_INVALID', 'replayChanges() whose seqs go down', () => store.replayChanges([put(6, 'b'), put(5, 'd')]));
      await failsWith('SNEK_INVALID', 'replayChanges() whose change has no ISO time', () => store.replayChanges([put(7, 'b'), { ...put(8, 'd'), at: 'yesterday' }]));
      same(await everyChange(store), before, 'the log after three refused batches');
      for (const id of ['b', 'c', 'd', 'not-c']) same(await store.get(id), undefined, `${id}, which only a refused batch wrote`);
    });

    harness.test('retention applies to replayed changes (history.keep = 3)', async (stores) => {
      const store = (await stores.fresh({ history: { keep: 3 } })) as ReplayStore;
      await store.replayChanges([1, 2, 3, 4, 5, 6].map((seq) => put(seq, 'a')));
      await store.replayChanges([put(7, 'b'), del(8, 'b')]);
      same(seqs(await store.changes({ id: 'a' })), [4, 5, 6], "seqs of a's changes kept after six replayed puts");
      same(seqs(await everyChange(store)), [4, 5, 6, 7, 8], 'every seq kept');
      await store.put(sampleSnek('a', { content: 'own\n' }));
      const kept = await store.changes({ id: 'a' });
      same(seqs(kept).slice(0, 2), [5, 6], "a's two newest replayed changes, after one more put");
      assert.ok(kept[2]!.seq > 8, `the put after the replay took seq ${kept[2]!.seq}; it must be above 8`);
    });

    harness.test('a replay racing plain writes: each write lands wholly before or after the batch, and seqs stay unique and growing', async (stores) => {
      const store = (await stores.fresh()) as ReplayStore;
      const batch = padded('r', 40).map((id, i) => put(1000 + i, id));
      const writes = padded('w', 20).map((id) => store.put(sampleSnek(id), { actor: CI }));
      await Promise.all([store.replayChanges(batch), ...writes]);
      const log = await everyChange(store);
      const replayed = log.filter((change) => change.id.startsWith('r'));
      same(replayed, batch, 'the replayed changes in the log');
      for (const change of log.filter((entry) => entry.id.startsWith('w'))) {
        assert.ok(change.seq < 1000 || change.seq > 1039, `the plain write of ${change.id} took seq ${change.seq}, inside the replayed batch 1000-1039`);
      }
      same(log.length, 60, 'changes in the log');
      await assertLogAgrees(store, [...padded('r', 40), ...padded('w', 20)], 'after the race');
    });

    harness.reopening.test('after reopen the replayed log is the same and later writes take seqs above it', async (stores) => {
      let store = (await stores.fresh()) as ReplayStore;
      const replayed = [put(3, 'a'), put(7, 'b'), del(40, 'a')];
      await store.replayChanges(replayed);
      store = (await stores.reopen(store)) as ReplayStore;
      same(await everyChange(store), replayed, 'the log after reopen');
      await store.replayChanges(replayed);
      same(await everyChange(store), replayed, 'the log after the same batch again, after reopen');
      await store.put(sampleSnek('c'));
      const last = (await everyChange(store)).at(-1)!;
      assert.ok(last.id === 'c' && last.seq > 40, `the write after reopen took seq ${last.seq}; it must be above 40`);
    });
  });
}
