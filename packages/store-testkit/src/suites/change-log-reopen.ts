import assert from 'node:assert/strict';
import type { Change } from '@snek/core';
import { same } from '../assertions.js';
import { ADA, CI, assertChanges, assertLogAgrees, everyChange, type LogStore } from '../changes.js';
import type { Harness } from '../harness.js';
import { padded, sampleSnek } from '../sample-sneks.js';

const KEEP = 3;
const keeping = { history: { keep: KEEP } };
const contents = (changes: readonly Change[]) => changes.map((change) => change.snek?.content ?? `(${change.op})`);

/** For a store whose create() or reopen() drops the context, the retention checks fail on this. */
const PASS_CONTEXT = 'Do create(context) and reopen(store, context) pass context.history on to the store, as in create: (context) => plugin.create(options, { configDir, ...context })?';

/** Crash consistency across reopen, and retention per id. */
export function changeLogReopenSuite(harness: Harness<LogStore>): void {
  const reopening = harness.reopening;

  reopening.test("after reopen the log is the same, and each id's newest change is what get() gives", async (stores) => {
    let store = await stores.fresh();
    const ids = padded('r', 12);
    for (const [i, id] of ids.entries()) await store.put(sampleSnek(id, { content: `v${i}` }), { actor: i % 2 ? ADA : CI });
    for (const id of ids.slice(0, 4)) await store.put(sampleSnek(id, { content: 'rewritten' }), { actor: ADA });
    for (const id of ids.slice(3, 6)) await store.delete(id, { actor: CI });
    const before = await everyChange(store);
    const latestBefore = await store.latestChanges(ids);
    store = await stores.reopen(store);
    same(await everyChange(store), before, 'every change, after reopen against before');
    same(await store.latestChanges(ids), latestBefore, 'latestChanges(), after reopen against before');
    await assertLogAgrees(store, [...ids, 'never-written'], 'after reopen');
    for (const id of ids.slice(3, 6)) assert.equal(await store.get(id), undefined, `${id} was deleted before reopen`);
  });

  reopening.test('seq keeps growing after reopen', async (stores) => {
    let store = await stores.fresh();
    await store.put(sampleSnek('a'));
    await store.put(sampleSnek('b'));
    const [, last] = await everyChange(store);
    store = await stores.reopen(store);
    await store.put(sampleSnek('c'));
    store = await stores.reopen(store);
    await store.delete('a');
    const changes = await everyChange(store);
    assertChanges(changes, [{ id: 'a', op: 'put', snek: sampleSnek('a') }, { id: 'b', op: 'put', snek: sampleSnek('b') }, { id: 'c', op: 'put', snek: sampleSnek('c') }, { id: 'a', op: 'delete' }], 'changes() across two reopens');
    assert.ok(changes[2]!.seq > last!.seq, `the first seq after reopen, ${changes[2]!.seq}, is not above the last before it, ${last!.seq}`);
  });

  harness.test(`with history.keep = ${KEEP}, only the newest ${KEEP} changes of each id remain, in changes() with and without id`, async (stores) => {
    const store = await stores.fresh(keeping);
    for (let i = 0; i < 10; i++) await store.put(sampleSnek('a', { content: `a${i}` }));
    await store.put(sampleSnek('b', { content: 'b0' }));
    await store.put(sampleSnek('b', { content: 'b1' }));
    same(contents(await store.changes({ id: 'a' })), ['a7', 'a8', 'a9'], `changes({ id: 'a' }) after 10 puts of a. ${PASS_CONTEXT}`);
    same(contents(await store.changes({ id: 'b' })), ['b0', 'b1'], "changes({ id: 'b' }) after 2 puts of b");
    same(contents(await everyChange(store)), ['a7', 'a8', 'a9', 'b0', 'b1'], 'every change');
    same(contents(await store.latestChanges(['a'])), ['a9'], "latestChanges(['a'])");
  });

  harness.test(`a deleted snek's history stays until retention drops it (history.keep = ${KEEP})`, async (stores) => {
    const store = await stores.fresh(keeping);
    await store.put(sampleSnek('gone', { content: 'g0' }));
    await store.put(sampleSnek('gone', { content: 'g1' }));
    await store.delete('gone');
    for (let i = 0; i < 10; i++) await store.put(sampleSnek(`other-${i % 2}`, { content: `o${i}` }));
    same(contents(await store.changes({ id: 'gone' })), ['g0', 'g1', '(delete)'], `the history of a deleted snek, after writes of others. ${PASS_CONTEXT}`);
    await store.put(sampleSnek('gone', { content: 'g2' }));
    await store.put(sampleSnek('gone', { content: 'g3' }));
    same(contents(await store.changes({ id: 'gone' })), ['(delete)', 'g2', 'g3'], 'the history of a snek deleted and written twice again');
  });

  reopening.test(`retention holds across reopen (history.keep = ${KEEP})`, async (stores) => {
    let store = await stores.fresh(keeping);
    for (let i = 0; i < 10; i++) await store.put(sampleSnek('a', { content: `a${i}` }));
    await store.put(sampleSnek('b', { content: 'b0' }));
    await store.delete('b');
    store = await stores.reopen(store);
    same(contents(await everyChange(store)), ['a7', 'a8', 'a9', 'b0', '(delete)'], `every change after reopen. ${PASS_CONTEXT}`);
    await store.put(sampleSnek('a', { content: 'a10' }));
    same(contents(await store.changes({ id: 'a' })), ['a8', 'a9', 'a10'], "changes({ id: 'a' }) after one more put, after reopen");
  });
}
