import { describe, expect, it } from '@jest/globals';
import { SnekError } from '@snek/core';
import type { Harness } from '../harness.js';
import { sampleSnek } from '../sample-sneks.js';

export function closingSuite(harness: Harness): void {
  describe('close()', () => {
    it('is idempotent', async () => {
      const store = await harness.fresh();
      await store.put(sampleSnek('a'));
      await harness.release(store);
      await expect(store.close()).resolves.toBeUndefined();
    });

    it('makes get, put, delete and list fail with a SnekError STORE_CLOSED', async () => {
      const store = await harness.fresh();
      await store.put(sampleSnek('a'));
      await harness.release(store);
      const calls: Record<string, () => Promise<unknown>> = { get: () => store.get('a'), put: () => store.put(sampleSnek('b')), delete: () => store.delete('a'), list: () => store.list() };
      for (const [method, call] of Object.entries(calls)) {
        const error = await Promise.resolve()
          .then(call)
          .then(() => undefined, (e: unknown) => e);
        expect([method, SnekError.hasCode(error, 'STORE_CLOSED')]).toEqual([method, true]);
      }
    });
  });
}
