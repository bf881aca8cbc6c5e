import assert from 'node:assert/strict';
import type { ConnectionPoolStats, SnekStore, StoreConnectionPool } from '@snek/core';
import type { Harness } from '../harness.js';
import { sampleSnek } from '../sample-sneks.js';

function checkCounts(stats: ConnectionPoolStats, when: string): void {
  for (const key of ['total', 'idle', 'waiting', 'max'] as const) {
    assert.ok(Number.isInteger(stats[key]) && stats[key] >= 0, `connectionPool().${key} ${when} is ${String(stats[key])}, not a whole number of at least 0`);
  }
  assert.ok(stats.idle <= stats.total, `connectionPool() ${when}: idle (${stats.idle}) is more than total (${stats.total})`);
  assert.ok(stats.total <= stats.max, `connectionPool() ${when}: total (${stats.total}) is more than max (${stats.max})`);
}

/** The optional StoreConnectionPool: the counts of the store's own pool, which the server's metrics show. */
export function connectionPoolSuite(harness: Harness<SnekStore & StoreConnectionPool>): void {
  harness.describe('connectionPool() (optional: StoreConnectionPool)', () => {
    harness.test('counts whole connections within max; after a read at least one is open, and none waits once reads end', async (stores) => {
      const store = await stores.fresh();
      checkCounts(await store.connectionPool(), 'on a fresh store');
      await store.put(sampleSnek('a'));
      await Promise.all(Array.from({ length: 4 }, () => store.get('a')));
      const after = await store.connectionPool();
      checkCounts(after, 'after reads');
      assert.ok(after.total >= 1, `connectionPool().total after reads is ${after.total}: a read must have opened a connection`);
      assert.equal(after.waiting, 0, 'connectionPool().waiting once every read has ended');
    });
  });
}
