export { SnekError, SNEK_ERROR_CODES, type SnekErrorCode, type SnekErrorOptions } from './errors.js';
export { checkReplayBatch, changesToReplay, seqsAtOrBelow, type LoggedAt } from './change-replay.js';
export {
  SLUG_PATTERN,
  MAX_NAME_LENGTH,
  MAX_CONTENT_BYTES,
  slugSchema,
  snekNameSchema,
  snekContentSchema,
  snekBodySchema,
  snekSchema,
  checkSnek,
  slugify,
  type Snek,
  type SnekBody,
} from './snek.js';
export {
  DEFAULT_LIST_LIMIT,
  MAX_LIST_LIMIT,
  SUPPORTED_STORE_API_VERSIONS,
  defineStore,
  reportsStatus,
  writesInBulk,
  countsTypes,
  keepsSeedLedger,
  createsInBulk,
  writesConditionally,
  keepsChangeLog,
  feedsChanges,
  takesSnapshots,
  replaysChanges,
  backsUpToFile,
  type StoreFileBackup,
  browsesSorted,
  searchesSneks,
  loadsInBulk,
  SNEK_SORTS,
  type SnekSort,
  type SortPosition,
  type BrowseQuery,
  type BrowsePage,
  type BrowsedChange,
  type StoreBrowse,
  type SearchQuery,
  type SearchPage,
  type StoreSearch,
  type StoreBulkLoad,
  type SnapshotView,
  type StoreSnapshot,
  type StoreChangeReplay,
  poolsConnections,
  type ConnectionPoolStats,
  type StoreConnectionPool,
  DEFAULT_CHANGES_LIMIT,
  MAX_CHANGES_LIMIT,
  DEFAULT_HISTORY_KEEP,
  type Change,
  type ChangeOp,
  type ChangeQuery,
  type StoreChangeLog,
  type StoreChangeFeed,
  sameSnek,
  hasCapability,
  STORE_CAPABILITIES,
  type StoreCapability,
  type StoreCapabilityName,
  type StoreBulkCreator,
  type StoreConditionalWriter,
  type ConditionalWriteResult,
  type StoreSeedLedger,
  type StoreTypeCounter,
  type TypeCount,
  type StoreBulkWriter,
  type StoreStatusReporter,
  type SnekQuery,
  type SnekPage,
  type SnekStore,
  type Actor,
  type WriteOptions,
  type StoreContext,
  type StorePlugin,
} from './contract.js';
export { encodeCursor, decodeCursor } from './cursor.js';
export { encodeSortCursor, decodeSortCursor, encodeSearchCursor, decodeSearchCursor, type SortCursor, type SearchCursor, type CursorDirection } from './page-cursor.js';
export {
  MAX_SEARCH_LENGTH,
  NEAR_MISS_SIMILARITY,
  foldCase,
  matchRanges,
  trigrams,
  similarity,
  trigramSimilarity,
  naturalKey,
  naturalKeyOfFolded,
  RUN_LENGTH_DIGITS,
  compareKeys,
  prepareSearch,
  searchRank,
  compareRanks,
  rankSneks,
  type PreparedSearch,
  type SearchRank,
  type SearchTier,
} from './search.js';
export { compareSortPositions, sortPosition } from './sort-order.js';
export { formatIssues } from './issues.js';
export { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_URL, DEFAULT_STORE, DEFAULT_PACKS, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT, DEFAULT_SESSION_HOURS, DEFAULT_CACHE_MAX_STALE_MS, SCOPES, isAddressOrNetwork, snekrcSchema, type Scope, type SnekrcFile } from './config-schema.js';
export { loadConfig, type LoadConfigOptions, type LoadedConfig, type SnekConfig, type StoreConfig, type ConfigSource, type RateLimitSettings } from './config.js';
export { SUPPORTED_PACK_API_VERSIONS, definePack, type SnekPack, type PackSnek } from './pack.js';
export { loadPlugin, type LoadPluginContext, type LoadedPlugin, type PluginPhase, type PluginPhaseDone } from './plugin-loader.js';
export type { PluginKind, PluginCodes, PluginNaming } from './plugin-kind.js';
export type { FoundPlugin } from './plugin-resolve.js';
export { STORE_KIND } from './kinds/store-kind.js';
export { PACK_KIND, type UncheckedPack } from './kinds/pack-kind.js';
export { loadStore, type LoadStoreOptions, type LoadedStore, type StorePhaseDone } from './store-loader.js';
export { loadPack, loadPacks, type LoadPackOptions, type LoadedPack } from './pack-loader.js';
export { SnekIndex, type SnekIndexEntry } from './snek-index.js';
export { NEAR_MISS_POSTINGS, SHORT_QUERY_SCAN } from './index-search.js';
export { startPrefixes, prefixEnd, containedGrams, foldedTrigrams } from './search-keys.js';
export { SortedRun, type RunPosition } from './sorted-run.js';
export { DEFAULT_SNAPSHOT_BATCH, snapshotView, arraySnapshot, type SnapshotSource } from './snapshot-view.js';
export { KeyedMutex } from './keyed-mutex.js';
export { parseStoreOptions } from './store-options.js';
export {
  SUPPORTED_AUTH_API_VERSIONS,
  defineAuthProvider,
  groupScopesSchema,
  scopesForGroups,
  type AuthPlugin,
  type AuthProvider,
  type AuthContext,
  type AuthPerson,
  type AuthRequest,
  type SignedIn,
  type GroupScopes,
} from './auth.js';
export { AUTH_KIND } from './kinds/auth-kind.js';
export { loadAuthProviders, type LoadAuthOptions, type LoadedAuthProvider } from './auth-loader.js';
