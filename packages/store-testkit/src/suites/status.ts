import assert from 'node:assert/strict';
import type { SnekStore, StoreStatusReporter } from '@snek/core';
import { same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { sampleSnek } from '../sample-sneks.js';

/** The optional status(), which GET /readyz shows as JSON. */
export function statusSuite(harness: Harness<SnekStore & StoreStatusReporter>): void {
  harness.describe('status() (optional: StoreStatusReporter)', () => {
    harness.test('gives an object that JSON carries unchanged, on a fresh store and after a write', async (stores) => {
      const store = await stores.fresh();
      const check = async (when: string): Promise<void> => {
        const status = await store.status();
        assert.ok(typeof status === 'object' && status !== null && !Array.isArray(status), `status() ${when} is not an object: ${String(status)}`);
        same(JSON.parse(JSON.stringify(status)), status, `status() ${when} changes when sent as JSON`);
      };
      await check('on a fresh store');
      await store.put(sampleSnek('a'));
      await check('after a write');
    });
  });
}
