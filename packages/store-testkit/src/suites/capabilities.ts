import { STORE_CAPABILITIES } from '@snek/core';
import { same } from '../assertions.js';
import type { Harness } from '../harness.js';

/**
 * A store has an optional capability only when it has every one of its methods, so the kit skips the checks of
 * one that is half there, and the server never calls it: this is the check that says so.
 */
export function capabilitiesSuite(harness: Harness): void {
  harness.describe('optional capabilities', () => {
    harness.test('has every method of each optional capability or none of them (the server ignores a capability that is half there)', async (stores) => {
      const store = (await stores.fresh()) as unknown as Record<string, unknown>;
      const halfThere = STORE_CAPABILITIES.flatMap(({ name, methods }) => {
        const has = methods.filter((method) => typeof store[method] === 'function');
        return has.length === 0 || has.length === methods.length ? [] : [`${name}: has ${has.join(', ')} but not ${methods.filter((m) => !has.includes(m)).join(', ')}`];
      });
      same(halfThere, [], 'capabilities the store has only some methods of');
    });
  });
}
