import assert from 'node:assert/strict';
import { DEFAULT_CHANGES_LIMIT, type Change } from '@snek/core';
import { same } from '../assertions.js';
import { assertSeqGrows, everyChange, type LogStore } from '../changes.js';
import type { Harness } from '../harness.js';
import { sampleSnek } from '../sample-sneks.js';

const contents = (changes: readonly Change[]) => changes.map((change) => change.snek?.content ?? `(${change.op})`);

/** Writes `count` puts, round-robin over `ids`, with contents "0", "1", …, and gives the changes, oldest first. */
async function writeNumbered(store: LogStore, ids: readonly string[], count: number): Promise<Change[]> {
  for (let i = 0; i < count; i++) await store.put(sampleSnek(ids[i % ids.length]!, { content: String(i) }));
  const changes = await everyChange(store);
  assert.equal(changes.length, count, `${count} puts left ${changes.length} changes`);
  return changes;
}

const numbers = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));

/** Order: seq grows in the order of the writes, and the query's filters, limit and order select from it. */
export function changeLogOrderSuite(harness: Harness<LogStore>): void {
  harness.test('seq grows strictly, from 1 up, in the order of the writes; changes() gives them oldest first', async (stores) => {
    const store = await stores.fresh();
    const changes = await writeNumbered(store, ['a', 'b', 'c'], 30);
    same(contents(changes), numbers(0, 30), 'the contents of the changes, in the order changes() gives them');
    assertSeqGrows(changes, 'changes()');
    assert.ok(changes[0]!.seq >= 1, `the first seq is ${changes[0]!.seq}; seq starts at 1`);
    same(await store.changes({ limit: 30 }), changes, 'changes({ limit: 30 }) and the same read in pages of after');
  });

  harness.test('after, before and id select changes, and combine with AND', async (stores) => {
    const store = await stores.fresh();
    const changes = await writeNumbered(store, ['a', 'b', 'c'], 30);
    const seq = (i: number) => changes[i]!.seq;
    same(contents(await store.changes({ after: seq(9) })), numbers(10, 30), 'changes({ after: the 10th seq })');
    same(contents(await store.changes({ before: seq(5) })), numbers(0, 5), 'changes({ before: the 6th seq })');
    same(contents(await store.changes({ after: seq(9), before: seq(15) })), numbers(10, 15), 'changes({ after, before })');
    same(contents(await store.changes({ id: 'b' })), ['1', '4', '7', '10', '13', '16', '19', '22', '25', '28'], "changes({ id: 'b' })");
    same(contents(await store.changes({ id: 'b', after: seq(10), before: seq(22) })), ['13', '16', '19'], "changes({ id: 'b', after, before })");
    same(await store.changes({ after: seq(29) }), [], 'changes({ after: the last seq })');
    same(await store.changes({ id: 'never-written' }), [], "changes({ id: 'never-written' })");
  });

  harness.test(`limit takes the first changes in the order asked, ${DEFAULT_CHANGES_LIMIT} by default; order: 'desc' gives newest first`, async (stores) => {
    const store = await stores.fresh();
    const count = DEFAULT_CHANGES_LIMIT + 30;
    const changes = await writeNumbered(store, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm'], count);
    same(contents(await store.changes()), numbers(0, DEFAULT_CHANGES_LIMIT), 'changes() with no limit');
    same(contents(await store.changes({ limit: 7 })), numbers(0, 7), 'changes({ limit: 7 })');
    same(contents(await store.changes({ limit: 7, order: 'asc' })), numbers(0, 7), "changes({ limit: 7, order: 'asc' })");
    same(contents(await store.changes({ limit: 5, order: 'desc' })), numbers(count - 5, count).reverse(), "changes({ limit: 5, order: 'desc' })");
    same(contents(await store.changes({ order: 'desc' })), numbers(count - DEFAULT_CHANGES_LIMIT, count).reverse(), "changes({ order: 'desc' }) with no limit");
    const before = changes[20]!.seq;
    same(contents(await store.changes({ before, after: changes[9]!.seq, order: 'desc', limit: 3 })), ['19', '18', '17'], "changes({ after, before, order: 'desc', limit: 3 })");
  });

  harness.test("pages through one id's history newest first with before, each change exactly once", async (stores) => {
    const store = await stores.fresh();
    await writeNumbered(store, ['a', 'b'], 40);
    const seen: Change[] = [];
    let before: number | undefined;
    for (let pages = 0; ; pages++) {
      assert.ok(pages <= 20, 'paging newest first with before never ended');
      const page = await store.changes({ id: 'a', order: 'desc', limit: 3, ...(before === undefined ? {} : { before }) });
      if (page.length === 0) break;
      seen.push(...page);
      before = page.at(-1)!.seq;
    }
    same(contents(seen), numbers(0, 40).filter((n) => Number(n) % 2 === 0).reverse(), "a's history, newest first, in pages of 3");
    assertSeqGrows([...seen].reverse(), "a's history read newest first");
  });
}
