import { backsUpToFile, browsesSorted, loadsInBulk, searchesSneks, countsTypes, createsInBulk, feedsChanges, keepsChangeLog, keepsSeedLedger, poolsConnections, replaysChanges, reportsStatus, takesSnapshots, writesConditionally, writesInBulk, type SnekStore, type StoreCapabilityName } from '@snek/core';

/** How the kit names an optional capability, and its guard from `@snek/core`. */
interface CapabilityInfo<S extends SnekStore> {
  /** The methods, as the skip reason names them: "countTypes()". */
  methods: string;
  /** The interface in `@snek/core` that declares them. */
  provides: string;
  guard: (store: SnekStore) => store is S;
}

const info = <S extends SnekStore>(c: CapabilityInfo<S>) => c;

/** Every optional capability of `STORE_CAPABILITIES`, keyed by its name: a capability core adds and the kit lacks fails to compile. */
export const CAPABILITIES = {
  typeCount: info({ methods: 'countTypes()', provides: 'StoreTypeCounter', guard: countsTypes }),
  bulkWrite: info({ methods: 'putMany()', provides: 'StoreBulkWriter', guard: writesInBulk }),
  bulkCreate: info({ methods: 'createMany()', provides: 'StoreBulkCreator', guard: createsInBulk }),
  seedLedger: info({ methods: 'seeded() and recordSeeded()', provides: 'StoreSeedLedger', guard: keepsSeedLedger }),
  status: info({ methods: 'status()', provides: 'StoreStatusReporter', guard: reportsStatus }),
  conditionalWrite: info({ methods: 'putIf() and deleteIf()', provides: 'StoreConditionalWriter', guard: writesConditionally }),
  changeLog: info({ methods: 'changes() and latestChanges()', provides: 'StoreChangeLog', guard: keepsChangeLog }),
  changeFeed: info({ methods: 'watchChanges()', provides: 'StoreChangeFeed', guard: feedsChanges }),
  snapshot: info({ methods: 'snapshot()', provides: 'StoreSnapshot', guard: takesSnapshots }),
  changeReplay: info({ methods: 'replayChanges()', provides: 'StoreChangeReplay', guard: replaysChanges }),
  connectionPool: info({ methods: 'connectionPool()', provides: 'StoreConnectionPool', guard: poolsConnections }),
  fileBackup: info({ methods: 'backupTo()', provides: 'StoreFileBackup', guard: backsUpToFile }),
  browse: info({ methods: 'browse()', provides: 'StoreBrowse', guard: browsesSorted }),
  search: info({ methods: 'search()', provides: 'StoreSearch', guard: searchesSneks }),
  bulkLoad: info({ methods: 'bulkLoad()', provides: 'StoreBulkLoad', guard: loadsInBulk }),
} satisfies { [N in StoreCapabilityName]: CapabilityInfo<SnekStore> };

/** A store with the capability `N`, as its guard narrows it. */
export type StoreWith<N extends StoreCapabilityName> = (typeof CAPABILITIES)[N] extends CapabilityInfo<infer S> ? S : never;

/** Why the checks of capability `name` are skipped: "the store has no putMany() (StoreBulkWriter)". */
export function lacking(name: StoreCapabilityName): string {
  return `the store has no ${CAPABILITIES[name].methods} (${CAPABILITIES[name].provides})`;
}
