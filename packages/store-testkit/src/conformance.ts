import { describe } from '@jest/globals';
import { Harness, type ConformanceOptions } from './harness.js';
import { basicsSuite } from './suites/basics.js';
import { closingSuite } from './suites/closing.js';
import { concurrencySuite } from './suites/concurrency.js';
import { conditionalWritesSuite } from './suites/conditional-writes.js';
import { countingSuite } from './suites/counting.js';
import { listingSuite } from './suites/listing.js';
import { modelSuite } from './suites/model.js';
import { persistenceSuite } from './suites/persistence.js';

/**
 * Declares Jest tests that check a store against Snek's store contract, v1. Call it once, at the top
 * level of a test file:
 *
 * ```ts
 * describeStoreConformance('my-store', { create: () => myPlugin.create({ dir: fresh() }, { configDir }) });
 * ```
 */
export function describeStoreConformance(name: string, options: ConformanceOptions): void {
  describe(`${name} conforms to the Snek store contract v1`, () => {
    const harness = new Harness(options);
    basicsSuite(harness);
    listingSuite(harness);
    countingSuite(harness);
    if (harness.persistence) persistenceSuite(harness);
    concurrencySuite(harness);
    conditionalWritesSuite(harness);
    modelSuite(harness);
    closingSuite(harness);
  });
}
