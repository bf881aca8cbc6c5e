import { describe, expect, it } from '@jest/globals';
import { SnekError, keepsSeedLedger } from '@snek/core';
import { MemorySnekStore } from '../src/index.js';

describe('MemorySnekStore seed ledger', () => {
  it('seeded(ids) gives back the recorded ones, whether the snek exists or not', async () => {
    const store = new MemorySnekStore();
    expect(keepsSeedLedger(store)).toBe(true);
    expect(await store.seeded(['a', 'b'])).toEqual([]);
    await store.recordSeeded(['a', 'c']);
    await store.recordSeeded(['a']);
    expect(await store.seeded(['a', 'b', 'c'])).toEqual(['a', 'c']);
  });

  it('lives in memory: a new store starts with an empty ledger, and a closed one refuses with STORE_CLOSED', async () => {
    const store = new MemorySnekStore();
    await store.recordSeeded(['a']);
    await store.close();
    expect(SnekError.hasCode(await store.seeded(['a']).catch((e: unknown) => e), 'STORE_CLOSED')).toBe(true);
    expect(await new MemorySnekStore().seeded(['a'])).toEqual([]);
  });
});
