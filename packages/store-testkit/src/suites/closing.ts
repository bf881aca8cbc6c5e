import assert from 'node:assert/strict';
import { failsWith } from '../assertions.js';
import type { Harness } from '../harness.js';
import { sampleSnek } from '../sample-sneks.js';

export function closingSuite(harness: Harness): void {
  harness.describe('close()', () => {
    harness.test('is idempotent', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('a'));
      await stores.release(store);
      assert.equal(await store.close(), undefined);
    });

    harness.test('makes get, put, delete and list fail with a SnekError STORE_CLOSED', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('a'));
      await stores.release(store);
      await failsWith('STORE_CLOSED', 'get() after close()', () => store.get('a'));
      await failsWith('STORE_CLOSED', 'put() after close()', () => store.put(sampleSnek('b')));
      await failsWith('STORE_CLOSED', 'delete() after close()', () => store.delete('a'));
      await failsWith('STORE_CLOSED', 'list() after close()', () => store.list());
    });
  });
}
