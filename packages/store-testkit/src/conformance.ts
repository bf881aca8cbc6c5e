import { SnekError, countsTypes, createsInBulk, keepsSeedLedger, reportsStatus, writesConditionally, writesInBulk, type SnekStore } from '@snek/core';
import { Harness, type ConformanceOptions } from './harness.js';
import { jestRunner } from './runner.js';
import { basicsSuite } from './suites/basics.js';
import { bulkCreatingSuite } from './suites/bulk-creating.js';
import { bulkWritingSuite } from './suites/bulk-writing.js';
import { capabilitiesSuite } from './suites/capabilities.js';
import { closingSuite } from './suites/closing.js';
import { concurrencySuite } from './suites/concurrency.js';
import { conditionalWritesSuite } from './suites/conditional-writes.js';
import { countingSuite } from './suites/counting.js';
import { listingSuite } from './suites/listing.js';
import { modelSuite } from './suites/model.js';
import { persistenceSuite } from './suites/persistence.js';
import { seedLedgerSuite } from './suites/seed-ledger.js';
import { statusSuite } from './suites/status.js';

/** An optional part of the store contract: its guard from `@snek/core`, and the suite that checks it. */
interface Capability<S extends SnekStore> {
  /** The methods, as the skip reason names them: "countTypes()". */
  methods: string;
  /** The interface in `@snek/core` that declares them. */
  provides: string;
  guard: (store: SnekStore) => store is S;
  suite: (harness: Harness<S>) => void;
}

const capability = <S extends SnekStore>(c: Capability<S>) => ({
  has: c.guard,
  declare(harness: Harness, present: boolean): void {
    const checked = harness.narrowedTo(c.guard, c.methods);
    c.suite(present ? checked : checked.skipping(`the store has no ${c.methods} (${c.provides})`));
  },
});

/** Every optional capability the kit checks, each gated by its guard here and nowhere else. */
const CAPABILITIES = [
  capability({ methods: 'countTypes()', provides: 'StoreTypeCounter', guard: countsTypes, suite: countingSuite }),
  capability({ methods: 'putMany()', provides: 'StoreBulkWriter', guard: writesInBulk, suite: bulkWritingSuite }),
  capability({ methods: 'createMany()', provides: 'StoreBulkCreator', guard: createsInBulk, suite: bulkCreatingSuite }),
  capability({ methods: 'seeded() and recordSeeded()', provides: 'StoreSeedLedger', guard: keepsSeedLedger, suite: seedLedgerSuite }),
  capability({ methods: 'status()', provides: 'StoreStatusReporter', guard: reportsStatus, suite: statusSuite }),
  capability({ methods: 'putIf() and deleteIf()', provides: 'StoreConditionalWriter', guard: writesConditionally, suite: conditionalWritesSuite }),
];

/**
 * Declares tests that check a store against Snek's store contract, v1. Await it once, at the top level of a
 * test file: it opens one store first, to learn which optional capabilities the store has, so that the
 * checks of a capability it lacks are declared as skipped.
 *
 * ```ts
 * await describeStoreConformance('my-store', { create: () => myPlugin.create({ dir: fresh() }, { configDir }) });
 * ```
 */
export async function describeStoreConformance(name: string, options: ConformanceOptions): Promise<void> {
  const runner = options.runner ?? (await jestRunner());
  if (options.cleanup && !runner.afterAll) {
    throw new SnekError('USAGE', `describeStoreConformance("${name}") was given cleanup, but its runner has no afterAll. Pass the runner's hook too: { describe, it, afterAll } (node:test: afterAll: after).`);
  }
  const probe = await options.create();
  const present = CAPABILITIES.map((c) => c.has(probe));
  await probe.close();

  runner.describe(`${name} conforms to the Snek store contract v1`, () => {
    const harness = new Harness(options, runner, (store) => store);
    if (options.cleanup) runner.afterAll!(async () => options.cleanup!());
    basicsSuite(harness);
    listingSuite(harness);
    capabilitiesSuite(harness);
    CAPABILITIES.forEach((c, i) => c.declare(harness, present[i]!));
    const noPersistence = harness.noPersistence;
    persistenceSuite(noPersistence === undefined ? harness : harness.skipping(noPersistence));
    concurrencySuite(harness);
    modelSuite(harness);
    closingSuite(harness);
  });
}
