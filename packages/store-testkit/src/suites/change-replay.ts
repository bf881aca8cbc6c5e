import type { Change, SnekStore, StoreChangeLog, StoreChangeReplay } from '@snek/core';
import { same } from '../assertions.js';
import { ADA, CI, everyChange } from '../changes.js';
import type { Harness } from '../harness.js';
import { sampleSnek } from '../sample-sneks.js';

/** The optional StoreChangeReplay: changes from another store, written as they were. */
export function changeReplaySuite(harness: Harness<SnekStore & StoreChangeReplay>): void {
  harness.describe('replayChanges(changes) (optional: StoreChangeReplay)', () => {
    harness.test('writes each change with its own seq, actor and time; a repeated replay writes nothing twice; later writes take higher seqs', async (stores) => {
      const store = (await stores.fresh()) as SnekStore & StoreChangeReplay & StoreChangeLog;
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
  });
}
