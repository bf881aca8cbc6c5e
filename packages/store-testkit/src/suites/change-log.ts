import assert from 'node:assert/strict';
import { failsWith, same } from '../assertions.js';
import { ADA, CI, assertChange, assertChanges, byId, everyChange, type LogStore } from '../changes.js';
import type { Harness } from '../harness.js';
import { TRICKY_CONTENT, sampleSnek } from '../sample-sneks.js';
import { changeLogConcurrencySuite } from './change-log-concurrency.js';
import { changeLogOrderSuite } from './change-log-order.js';
import { changeLogReopenSuite } from './change-log-reopen.js';

/**
 * The optional StoreChangeLog: every write appends one change per snek it writes, in the same atomic step, and
 * changes() reads them in seq order.
 */
export function changeLogSuite(harness: Harness<LogStore>): void {
  harness.describe('changes() and latestChanges() (optional: StoreChangeLog)', () => {
    changeLogWritesSuite(harness);
    changeLogOrderSuite(harness);
    changeLogConcurrencySuite(harness);
    changeLogReopenSuite(harness);

    harness.test('changes() and latestChanges() fail with a SnekError STORE_CLOSED after close()', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('a'));
      await stores.release(store);
      await failsWith('STORE_CLOSED', 'changes() after close()', () => store.changes());
      await failsWith('STORE_CLOSED', 'latestChanges() after close()', () => store.latestChanges(['a']));
    });
  });
}

/** Atomic with the write: each write method appends exactly the changes of what it wrote. */
function changeLogWritesSuite(harness: Harness<LogStore>): void {
  harness.test('a fresh store has no changes', async (stores) => {
    const store = await stores.fresh();
    same(await store.changes(), []);
    same(await store.latestChanges(['a']), []);
  });

  harness.test('put() appends one change: op put, the snek byte for byte, the actor it was given (null without one), and an ISO time', async (stores) => {
    const store = await stores.fresh();
    const first = sampleSnek('a', { content: TRICKY_CONTENT['Unicode']! });
    const second = sampleSnek('a', { name: 'Renamed', content: TRICKY_CONTENT['JSON and SQL lookalikes']! });
    const other = sampleSnek('b', { content: TRICKY_CONTENT['backslashes']! });
    await store.put(first, { actor: ADA });
    await store.put(second, { actor: CI });
    await store.put(other);
    assertChanges(
      await store.changes(),
      [
        { id: 'a', op: 'put', snek: first, actor: ADA },
        { id: 'a', op: 'put', snek: second, actor: CI },
        { id: 'b', op: 'put', snek: other },
      ],
      'changes() after three puts',
    );
  });

  harness.test('delete() appends one delete change, without a snek; a delete of nothing appends none', async (stores) => {
    const store = await stores.fresh();
    const snek = sampleSnek('a');
    await store.put(snek, { actor: ADA });
    assert.equal(await store.delete('a', { actor: CI }), true);
    assert.equal(await store.delete('a', { actor: CI }), false);
    assert.equal(await store.delete('never-there', { actor: CI }), false);
    const changes = await store.changes();
    assertChanges(changes, [{ id: 'a', op: 'put', snek, actor: ADA }, { id: 'a', op: 'delete', actor: CI }], 'changes() after put, delete and two deletes of nothing');
    assert.ok(!('snek' in changes[1]!) || changes[1]!.snek === undefined, 'a delete change carries a snek');
  });

  harness.withCapability('conditionalWrite').test('putIf() and deleteIf() append one change when they write, and none when they are refused', async (stores) => {
    const store = await stores.fresh();
    const first = sampleSnek('a', { content: 'first' });
    const second = sampleSnek('a', { content: 'second' });
    assert.equal((await store.putIf(first, null, { actor: ADA })).ok, true, 'putIf(a, null) on a missing id');
    assert.equal((await store.putIf(second, null, { actor: CI })).ok, false, 'putIf(a, null) when a exists');
    assert.equal((await store.putIf(second, sampleSnek('a', { content: 'stale' }), { actor: CI })).ok, false, 'putIf() expecting a stale version');
    assert.equal((await store.putIf(second, first, { actor: CI })).ok, true, 'putIf() expecting the stored snek');
    assert.equal((await store.deleteIf('a', first, { actor: ADA })).ok, false, 'deleteIf() expecting a replaced version');
    assert.equal((await store.deleteIf('a', second, { actor: ADA })).ok, true, 'deleteIf() expecting the stored snek');
    assert.equal((await store.deleteIf('a', second, { actor: ADA })).ok, false, 'deleteIf() of a deleted id');
    assert.equal((await store.putIf(sampleSnek('ghost'), sampleSnek('ghost'), { actor: CI })).ok, false, 'putIf() expecting a snek on a missing id');
    assertChanges(
      await store.changes(),
      [
        { id: 'a', op: 'put', snek: first, actor: ADA },
        { id: 'a', op: 'put', snek: second, actor: CI },
        { id: 'a', op: 'delete', actor: ADA },
      ],
      'changes() after three conditional writes that wrote and five that were refused',
    );
  });

  harness.withCapability('bulkWrite').test('putMany() appends one change per snek, each with its actor, new ids and replaced ones alike', async (stores) => {
    const store = await stores.fresh();
    await store.put(sampleSnek('b'));
    const batch = [sampleSnek('a'), sampleSnek('b', { content: 'replaced' }), sampleSnek('c')];
    await store.putMany(batch, { actor: CI });
    const changes = await store.changes({ after: (await store.changes())[0]!.seq });
    assert.equal(changes.length, 3, `putMany() of 3 sneks appended ${changes.length} changes`);
    for (const snek of batch) assertChange(changes.find((change) => change.id === snek.id), { id: snek.id, op: 'put', snek, actor: CI }, `the change of ${snek.id} from putMany()`);
  });

  harness.withCapability('bulkCreate').test('createMany() appends one change per snek it creates, and none for ids present or given twice', async (stores) => {
    const store = await stores.fresh();
    const present = sampleSnek('present');
    await store.put(present);
    const twice = sampleSnek('twice', { content: 'first' });
    const fresh = sampleSnek('fresh');
    await store.createMany([sampleSnek('present', { content: 'not written' }), twice, fresh, sampleSnek('twice', { content: 'second' })], { actor: ADA });
    const changes = (await store.changes()).slice(1).sort(byId);
    assert.equal(changes.length, 2, `createMany() that creates 2 sneks appended ${changes.length} changes`);
    assertChange(changes[0], { id: 'fresh', op: 'put', snek: fresh, actor: ADA }, 'the change of fresh from createMany()');
    assertChange(changes[1], { id: 'twice', op: 'put', snek: twice, actor: ADA }, 'the change of twice from createMany()');
  });

  harness.test('latestChanges(ids) gives the newest change of each id that has one, each once', async (stores) => {
    const store = await stores.fresh();
    const newest = sampleSnek('a', { content: 'newest' });
    await store.put(sampleSnek('a'));
    await store.put(newest, { actor: ADA });
    await store.put(sampleSnek('b'));
    await store.delete('b', { actor: CI });
    await store.put(sampleSnek('c'));
    const latest = (await store.latestChanges(['b', 'a', 'never-written', 'a'])).sort(byId);
    assertChanges(latest, [{ id: 'a', op: 'put', snek: newest, actor: ADA }, { id: 'b', op: 'delete', actor: CI }], 'latestChanges([b, a, never-written, a])');
    const all = await everyChange(store);
    same(latest.map((change) => change.seq), [all[1]!.seq, all[3]!.seq], 'the seqs latestChanges() gives');
    same(await store.latestChanges([]), []);
  });
}
