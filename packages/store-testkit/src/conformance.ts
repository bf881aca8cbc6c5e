import { SnekError, STORE_CAPABILITIES, hasCapability, type StoreCapabilityName } from '@snek/core';
import type { StoreWith } from './capabilities.js';
import { Harness, type ConformanceOptions } from './harness.js';
import { jestRunner } from './runner.js';
import { basicsSuite } from './suites/basics.js';
import { bulkCreatingSuite } from './suites/bulk-creating.js';
import { bulkWritingSuite } from './suites/bulk-writing.js';
import { capabilitiesSuite } from './suites/capabilities.js';
import { changeFeedSuite } from './suites/change-feed.js';
import { changeLogSuite } from './suites/change-log.js';
import { closingSuite } from './suites/closing.js';
import { concurrencySuite } from './suites/concurrency.js';
import { conditionalWritesSuite } from './suites/conditional-writes.js';
import { countingSuite } from './suites/counting.js';
import { listingSuite } from './suites/listing.js';
import { modelSuite } from './suites/model.js';
import { persistenceSuite } from './suites/persistence.js';
import { seedLedgerSuite } from './suites/seed-ledger.js';
import { snapshotSuite } from './suites/snapshot.js';
import { changeReplaySuite } from './suites/change-replay.js';
import { connectionPoolSuite } from './suites/connection-pool.js';
import { fileBackupSuite } from './suites/file-backup.js';
import { statusSuite } from './suites/status.js';
import { browsingSuite } from './suites/browsing.js';
import { searchingSuite } from './suites/searching.js';
import { bulkLoadingSuite } from './suites/bulk-loading.js';

/**
 * The suite of each optional capability, in the order they are declared. Keyed by every name in `STORE_CAPABILITIES`,
 * so a capability core adds without a suite here fails to compile; each suite is skipped, saying why, for a store
 * that lacks its capability.
 */
const CAPABILITY_SUITES: { [N in StoreCapabilityName]: (harness: Harness<StoreWith<N>>) => void } = {
  typeCount: countingSuite,
  bulkWrite: bulkWritingSuite,
  bulkCreate: bulkCreatingSuite,
  seedLedger: seedLedgerSuite,
  status: statusSuite,
  conditionalWrite: conditionalWritesSuite,
  changeLog: changeLogSuite,
  changeFeed: changeFeedSuite,
  snapshot: snapshotSuite,
  changeReplay: changeReplaySuite,
  connectionPool: connectionPoolSuite,
  fileBackup: fileBackupSuite,
  browse: browsingSuite,
  search: searchingSuite,
  bulkLoad: bulkLoadingSuite,
};

function declareCapability<N extends StoreCapabilityName>(harness: Harness, name: N): void {
  CAPABILITY_SUITES[name](harness.withCapability(name));
}

/**
 * Declares tests that check a store against Snek's store contract, v1. Await it once, at the top level of a
 * test file: it opens one store first, to learn which optional capabilities the store has, so that the
 * checks of a capability it lacks are declared as skipped.
 *
 * ```ts
 * await describeStoreConformance('my-store', { create: (context) => myPlugin.create({ dir: fresh() }, { configDir, ...context }) });
 * ```
 */
export async function describeStoreConformance(name: string, options: ConformanceOptions): Promise<void> {
  const runner = options.runner ?? (await jestRunner());
  if (options.cleanup && !runner.afterAll) {
    throw new SnekError('USAGE', `describeStoreConformance("${name}") was given cleanup, but its runner has no afterAll. Pass the runner's hook too: { describe, it, afterAll } (node:test: afterAll: after).`);
  }
  const probe = await options.create({});
  const capabilities = new Set(STORE_CAPABILITIES.filter((capability) => hasCapability(probe, capability.name)).map((capability) => capability.name));
  await probe.close();

  runner.describe(`${name} conforms to the Snek store contract v1`, () => {
    const harness = Harness.create(options, runner, capabilities);
    if (options.cleanup) runner.afterAll!(async () => options.cleanup!());
    basicsSuite(harness);
    listingSuite(harness);
    capabilitiesSuite(harness);
    for (const capability of Object.keys(CAPABILITY_SUITES) as StoreCapabilityName[]) declareCapability(harness, capability);
    persistenceSuite(harness.reopening);
    concurrencySuite(harness);
    modelSuite(harness);
    closingSuite(harness);
  });
}
