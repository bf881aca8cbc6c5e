import assert from 'node:assert/strict';
import type { Actor, Change } from '@snek/core';
import { same } from '../assertions.js';
import { assertLogAgrees, assertSeqGrows, byId, describe, everyChange, newestById, type LogStore } from '../changes.js';
import type { Harness } from '../harness.js';
import { sampleSnek } from '../sample-sneks.js';

const WRITERS = 16;
const PER_WRITER = 20;
const SHARED = ['s0', 's1', 's2', 's3'];

interface Acked {
  id: string;
  op: 'put' | 'delete';
  /** Unique to each put. */
  content?: string;
  actor: Actor;
}

/** Each id's changes in seq order must be a history its writes could make: a delete only of a snek that is there. */
function assertPossibleHistory(changes: readonly Change[]): void {
  const present = new Map<string, boolean>();
  for (const change of changes) {
    if (change.op === 'delete') assert.ok(present.get(change.id), `seq ${change.seq} deletes ${change.id}, which no earlier change had put: seq is not in commit order`);
    present.set(change.id, change.op === 'put');
  }
}

/** Concurrency: racing writes each append their own change, with a seq of their own, in commit order. */
export function changeLogConcurrencySuite(harness: Harness<LogStore>): void {
  harness.test(
    `${WRITERS} concurrent writers putting and deleting shared and own ids: one change per acknowledged write, seq unique, each id's newest change its snek`,
    async (stores) => {
      const store = await stores.fresh();
      const acked: Acked[] = [];
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, w) => {
          const actor: Actor = { kind: 'token', id: `writer-${w}` };
          for (let n = 0; n < PER_WRITER; n++) {
            const pick = (w * 7 + n * 13) % 10;
            if (pick >= 8) {
              const id = SHARED[(w * 3 + n) % SHARED.length]!;
              if (await store.delete(id, { actor })) acked.push({ id, op: 'delete', actor });
            } else {
              const id = pick >= 5 ? `own-${w}` : SHARED[(w + n) % SHARED.length]!;
              const content = `by writer ${w}, write ${n}\n`.repeat(1 + ((w * 997 + n * 31) % 200));
              await store.put(sampleSnek(id, { content }), { actor });
              acked.push({ id, op: 'put', content, actor });
            }
          }
        }),
      );
      const changes = await everyChange(store);
      assertSeqGrows(changes, 'every change');
      assert.equal(changes.length, acked.length, `${acked.length} acknowledged writes left ${changes.length} changes`);
      const puts = new Map(changes.filter((change) => change.op === 'put').map((change) => [change.snek!.content, change]));
      for (const write of acked.filter((entry) => entry.op === 'put')) {
        const change = puts.get(write.content!);
        assert.ok(change, `no change holds the acknowledged put of ${write.id} by ${write.actor.id}`);
        same([change.id, change.actor], [write.id, write.actor], `the change of a put by ${write.actor.id}`);
      }
      const tally = (entries: ReadonlyArray<{ id: string; actor: Actor | null }>) => entries.map((entry) => `${entry.id} by ${entry.actor?.id}`).sort();
      same(tally(changes.filter((change) => change.op === 'delete')), tally(acked.filter((entry) => entry.op === 'delete')), 'the delete changes, against the deletes that resolved true');
      assertPossibleHistory(changes);
      const ids = [...SHARED, ...Array.from({ length: WRITERS }, (_, w) => `own-${w}`)];
      await assertLogAgrees(store, ids, 'after the race');
      same((await store.latestChanges(ids)).sort(byId), [...newestById(changes).values()].sort(byId), 'latestChanges(), against the newest of every change');
    },
    120_000,
  );

  harness.withCapability('conditionalWrite').test(
    '8 writers counting up by read-then-putIf(): the changes of the counter count 0 to 80 in seq order, and refused putIf()s append none',
    async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('counter', { content: '0' }));
      const add = async (): Promise<void> => {
        for (;;) {
          const seen = (await store.get('counter'))!;
          if ((await store.putIf({ ...seen, content: String(Number(seen.content) + 1) }, seen)).ok) return;
        }
      };
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = 0; i < 10; i++) await add();
        }),
      );
      const changes = await everyChange(store);
      same(
        changes.map((change) => change.snek?.content),
        Array.from({ length: 81 }, (_, i) => String(i)),
        `the contents of the counter's changes in seq order (${describe(changes.slice(0, 5))}, …)`,
      );
    },
    120_000,
  );
}
