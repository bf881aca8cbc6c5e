import type { Snek } from './snek.js';
import type { SearchRank } from './search.js';

/** `list` returns this many sneks when the query gives no `limit`. */
export const DEFAULT_LIST_LIMIT = 100;
/** The largest `limit` a store must honour; larger values are clamped by the server. */
export const MAX_LIST_LIMIT = 500;
/** The store contract versions this release of Snek can load. */
export const SUPPORTED_STORE_API_VERSIONS = [1] as const;

/**
 * A page request for {@link SnekStore.list}. Filters are exact matches and combine with AND.
 */
export interface SnekQuery {
  /** Only sneks whose `name` is exactly this. */
  name?: string;
  /** Only sneks whose `type` is exactly this. */
  type?: string;
  /** Page size: defaults to {@link DEFAULT_LIST_LIMIT}, at most {@link MAX_LIST_LIMIT}. */
  limit?: number;
  /** The `nextCursor` of the previous page, passed back unchanged. */
  cursor?: string;
}

/** One page of {@link SnekStore.list}. */
export interface SnekPage {
  /** Sneks in ascending `id` order (plain code-unit order, as `<` compares strings). */
  items: Snek[];
  /** Pass this as `cursor` to get the next page; `null` on the last page. */
  nextCursor: string | null;
}

/** Who made a write: a person a sign-in provider vouched for, or one of the server's configured tokens. */
export interface Actor {
  kind: 'person' | 'token';
  /** A person's `sub` from their provider, or the token's name. */
  id: string;
  name?: string | undefined;
  email?: string | undefined;
  /** The sign-in provider's entry name, for a person. */
  via?: string | undefined;
}

/** What the server passes with every write. Stores may ignore it; a store that keeps history records `actor`. */
export interface WriteOptions {
  actor?: Actor | undefined;
}

/**
 * Store contract, version 1: where a snek server keeps its sneks.
 *
 * - Every method is async, and all of them may be called concurrently.
 * - The server validates sneks before `put`, but a store must still refuse ids that could escape
 *   its storage (a file store must never let an id name a path outside its folder).
 * - Errors a store raises on purpose should be `SnekError`s from `@snek/core`.
 * - After `close()`, every other method rejects with a `SnekError` whose code is `STORE_CLOSED`.
 */
export interface SnekStore {
  /** The snek with this id, or `undefined` when there is none. */
  get(id: string): Promise<Snek | undefined>;
  /** Creates or replaces the snek with `snek.id`. `created` is true when the id was new. Once this resolves the write must be durable for the store's kind. */
  put(snek: Snek, options?: WriteOptions): Promise<{ created: boolean }>;
  /** Removes the snek; resolves `false` when there was nothing to delete. */
  delete(id: string, options?: WriteOptions): Promise<boolean>;
  /**
   * A page of sneks ordered by id, filtered by exact `name` and `type`. The cursor is opaque to
   * callers; a page that follows a delete must neither repeat nor skip the sneks that remain.
   * `encodeCursor`/`decodeCursor` from `@snek/core` give a ready-made "after this id" cursor.
   */
  list(query?: SnekQuery): Promise<SnekPage>;
  /** Releases the storage. Calling it again does nothing. */
  close(): Promise<void>;
}

/**
 * Optional for stores: details for `GET /readyz`, such as how many unreadable records were skipped.
 * A store that has this method is checked with {@link reportsStatus}.
 */
export interface StoreStatusReporter {
  status(): Promise<Record<string, unknown>>;
}

/** True when the store implements the optional {@link StoreStatusReporter}. */
export function reportsStatus(store: SnekStore): store is SnekStore & StoreStatusReporter {
  return hasCapability(store, 'status');
}

/**
 * Optional for stores: a fast path for bulk loads (`snek-server import`), such as one transaction for many
 * sneks. Stores without it are filled with `put`. Checked with {@link writesInBulk}.
 */
export interface StoreBulkWriter {
  /** Creates or replaces every snek; resolves once all are durable. */
  putMany(sneks: readonly Snek[], options?: WriteOptions): Promise<{ created: number }>;
}

/** True when the store implements the optional {@link StoreBulkWriter}. */
export function writesInBulk(store: SnekStore): store is SnekStore & StoreBulkWriter {
  return hasCapability(store, 'bulkWrite');
}

/**
 * Optional for stores: a fast path for bulk loads that must not replace anything (`snek-server import` without
 * `--overwrite`). Stores without it are filled with {@link StoreConditionalWriter.putIf}, or else one snek at a time
 * after a `get`. Checked with {@link createsInBulk}.
 */
export interface StoreBulkCreator {
  /**
   * Creates each snek whose id the store does not hold yet, and leaves the others as they are; resolves once all are
   * durable, with the ids it created, each once, in any order. Each snek's check and write are one atomic step. An id
   * given more than once is created from its first snek; the later ones count as present: not written, not reported.
   */
  createMany(sneks: readonly Snek[], options?: WriteOptions): Promise<{ created: string[] }>;
}

/** True when the store implements the optional {@link StoreBulkCreator}. */
export function createsInBulk(store: SnekStore): store is SnekStore & StoreBulkCreator {
  return hasCapability(store, 'bulkCreate');
}

/** What {@link StoreConditionalWriter.putIf} and `deleteIf` resolve: done, or not, with what the store holds instead. */
export type ConditionalWriteResult<Done> = ({ ok: true } & Done) | { ok: false; current: Snek | undefined };

/**
 * Optional for stores: writes that happen only if the stored snek is the one the caller last saw, so that two people
 * editing one snek never lose an edit without a word (HTTP `If-Match` / `If-None-Match: *`). The server turns the
 * HTTP conditions into an expected snek; the store needs no ETags. Checked with {@link writesConditionally}.
 *
 * The check and the write are one atomic step: against every other call of this store, and against every other
 * server on the same storage (a transaction, a conditional `UPDATE … WHERE`, `INSERT … ON CONFLICT DO NOTHING`).
 * Compare with {@link sameSnek}. A store without it gets the server's fallback, which is atomic only within one
 * server process (see docs/writing-a-store.md).
 */
export interface StoreConditionalWriter {
  /**
   * Writes `snek` only if the stored snek with its id equals `expected` in every field, or, with `expected` null,
   * only if there is none. When it does not write, it resolves `ok: false` with what the store holds now.
   */
  putIf(snek: Snek, expected: Snek | null, options?: WriteOptions): Promise<ConditionalWriteResult<{ created: boolean }>>;
  /** Deletes the snek `id` only if it equals `expected` in every field; otherwise `ok: false` with what is there now. */
  deleteIf(id: string, expected: Snek, options?: WriteOptions): Promise<ConditionalWriteResult<object>>;
}

/** True when the store implements the optional {@link StoreConditionalWriter}. */
export function writesConditionally(store: SnekStore): store is SnekStore & StoreConditionalWriter {
  return hasCapability(store, 'conditionalWrite');
}

/** True when `a` and `b` are the same snek, field by field: the comparison a {@link StoreConditionalWriter} makes. */
export function sameSnek(a: Snek | undefined, b: Snek | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.id === b.id && a.name === b.name && a.type === b.type && a.content === b.content;
}

/** How many sneks have one type; see {@link StoreTypeCounter}. */
export interface TypeCount {
  type: string;
  count: number;
}

/**
 * Optional for stores: the count of sneks per type without reading every snek (`GET /v1/types`, the total of a page).
 * Keep the counts as the writes happen, in each write's own transaction or atomic step (a counts table kept by
 * triggers, a map beside the index), so that they cost the same at a million sneks as at ten, and stay exact under
 * concurrent writers and across every server that shares the store. Stores without it are counted by paging through
 * `list`. Checked with {@link countsTypes}.
 */
export interface StoreTypeCounter {
  /** One entry per type that has at least one snek, sorted by type in code-unit order (as `<` compares strings). */
  countTypes(): Promise<TypeCount[]>;
}

/** True when the store implements the optional {@link StoreTypeCounter}. */
export function countsTypes(store: SnekStore): store is SnekStore & StoreTypeCounter {
  return hasCapability(store, 'typeCount');
}

/**
 * Optional for stores: a durable record of which pack sneks (`server.packs`) have been seeded, so that a pack snek
 * someone deleted or edited over the API is never brought back or overwritten at start. The record lives in the store
 * itself, so every server that shares the store sees the same. Checked with {@link keepsSeedLedger}.
 *
 * A store without it is seeded only while it holds no snek at all: it cannot tell a deleted pack snek from a new one,
 * so once it holds anything a start adds nothing, and `snek-server import --pack` brings later packs in. A store
 * whose ledger is not durable (the memory store) must start it empty together with its sneks.
 */
export interface StoreSeedLedger {
  /** Those of `ids` that {@link StoreSeedLedger.recordSeeded} recorded before, whether the snek still exists or not. */
  seeded(ids: readonly string[]): Promise<string[]>;
  /** Records `ids` as seeded; durable once it resolves. Recording an id twice does nothing. */
  recordSeeded(ids: readonly string[]): Promise<void>;
}

/** True when the store implements the optional {@link StoreSeedLedger}. */
export function keepsSeedLedger(store: SnekStore): store is SnekStore & StoreSeedLedger {
  return hasCapability(store, 'seedLedger');
}

/** What a change did: a `put` created or replaced the snek, a `delete` removed it. */
export type ChangeOp = 'put' | 'delete';

/** One entry of a store's change log (see {@link StoreChangeLog}). */
export interface Change {
  /** Grows strictly, in commit order, across every server that shares the store; starts at 1. */
  seq: number;
  id: string;
  op: ChangeOp;
  /** The snek as written, for a `put`; absent for a `delete`. */
  snek?: Snek;
  /** Who made it, as the server passed it in {@link WriteOptions}; null when the write named nobody. */
  actor: Actor | null;
  /** When it was committed, by the store's clock: an ISO 8601 UTC time with milliseconds. */
  at: string;
}

/** `changes()` reads at most this many when the query gives no `limit`. */
export const DEFAULT_CHANGES_LIMIT = 100;
/** The largest `limit` of `changes()` a store must honour. */
export const MAX_CHANGES_LIMIT = 1000;
/** Revisions kept per snek when `server.history.keep` is absent. */
export const DEFAULT_HISTORY_KEEP = 100;

/** A read of the change log: filters combine with AND. */
export interface ChangeQuery {
  /** Only changes with `seq` greater than this. */
  after?: number;
  /** Only changes with `seq` less than this. */
  before?: number;
  /** Only changes of this snek. */
  id?: string;
  /** At most this many: default {@link DEFAULT_CHANGES_LIMIT}, at most {@link MAX_CHANGES_LIMIT}. */
  limit?: number;
  /** `asc` (default): oldest first. `desc`: newest first, as history is shown. */
  order?: 'asc' | 'desc';
}

/**
 * Optional for stores: a change log, written in the same transaction or atomic step as each write, so that there is
 * no change without its write and no write without its change, even through kill -9. Every write method (`put`,
 * `delete`, and `putIf`, `deleteIf`, `putMany`, `createMany` where the store has them) appends one change per snek it
 * writes, with `options.actor`; a conditional write that does not write, and a delete of nothing, append none.
 *
 * Retention: the store keeps the newest {@link StoreContext.history} `keep` changes of each id and may drop older
 * ones, in the write's own step or later. A deleted snek's changes stay until retention drops them.
 *
 * History, the audit log, live updates and the server's read cache all read this one log. Checked with
 * {@link keepsChangeLog}.
 */
export interface StoreChangeLog {
  /** Changes in `seq` order (see {@link ChangeQuery.order}), filtered by the query. */
  changes(query?: ChangeQuery): Promise<Change[]>;
  /** The newest change of each of `ids` that has one, in any order: a snek's `updatedAt` and `updatedBy`. */
  latestChanges(ids: readonly string[]): Promise<Change[]>;
}

/** True when the store implements the optional {@link StoreChangeLog}. */
export function keepsChangeLog(store: SnekStore): store is SnekStore & StoreChangeLog {
  return hasCapability(store, 'changeLog');
}

/**
 * Optional for stores with a change log shared by several servers: a push that another server wrote, such as
 * PostgreSQL's LISTEN/NOTIFY. The server reads the log itself when woken, and polls it besides, so a wake that is lost
 * (a dropped connection) delays a change but never loses it. Checked with {@link feedsChanges}.
 */
export interface StoreChangeFeed {
  /**
   * Calls `wake` whenever the log may have grown, and after every reconnect of the feed (a notification sent while it
   * was away is lost, so the server must read the log again). Resolves once the feed listens; the function it
   * resolves stops it.
   */
  watchChanges(wake: () => void): Promise<() => Promise<void>>;
}

/** True when the store implements the optional {@link StoreChangeFeed}. */
export function feedsChanges(store: SnekStore): store is SnekStore & StoreChangeFeed {
  return hasCapability(store, 'changeFeed');
}

/**
 * A consistent read of a whole store, as of one moment: one read transaction (sqlite, postgres) or one copy of the
 * index (memory, fs). Writes go on while it is open and do not show in it. See {@link StoreSnapshot}.
 */
export interface SnapshotView {
  /** The newest change the snapshot includes; 0 for a store without a change log, or with an empty one. */
  readonly seq: number;
  /** Every snek, in id order (code units, as `<` compares strings), in batches of at most `batch` (default 1000). */
  sneks(batch?: number): AsyncIterable<Snek[]>;
  /** Every change the log keeps, up to {@link SnapshotView.seq}, oldest first, in batches; none without a log. */
  changes(batch?: number): AsyncIterable<Change[]>;
  /**
   * Ends the read and releases what it holds (a transaction, a connection); safe to call twice, and while a batch is
   * being read (it waits for that batch). Reads after it reject with a `SnekError` `STORE_CLOSED`.
   */
  close(): Promise<void>;
}

/**
 * Optional for stores: a consistent snapshot to export, back up or migrate from, read in batches so that memory stays
 * flat. Without it the server pages through `list`, which is not one moment. Checked with {@link takesSnapshots}.
 *
 * Several snapshots may be open at once, each of its own moment. Closing the store closes its open snapshots (their
 * reads then reject with `STORE_CLOSED`). `snapshotView` and `arraySnapshot` from `@snek/core` give a ready-made view
 * over keyset reads.
 */
export interface StoreSnapshot {
  snapshot(): Promise<SnapshotView>;
}

/** True when the store implements the optional {@link StoreSnapshot}. */
export function takesSnapshots(store: SnekStore): store is SnekStore & StoreSnapshot {
  return hasCapability(store, 'snapshot');
}

/**
 * Optional for stores with a change log: writes changes made in another store as they were, keeping each one's seq,
 * actor and time, so that a migration carries history along and can follow the source's log. Checked with
 * {@link replaysChanges}.
 */
export interface StoreChangeReplay {
  /**
   * Applies `changes`, in ascending seq, atomically: a `put` writes its snek, a `delete` removes it, and each change
   * goes into the log with its own seq, actor and at. A change whose seq is not above the log's newest is skipped, so
   * a replay that is repeated (a resumed migration) writes nothing twice. Later writes take seqs above every
   * replayed one. Retention applies as to any write.
   *
   * A store written to directly meanwhile holds changes of its own where the replayed history goes: a change whose
   * seq the log holds with another write (id, op or at differ) is refused with `REPLAY_CONFLICT`, and so is the whole
   * batch, rather than skipped (which would lose it) or written after the store's own (older over newer). A change at
   * or below the newest seq that the log does not hold (retention dropped it) is skipped. A batch that is not in
   * ascending seq, or whose changes are not whole, is refused with `SNEK_INVALID`. `checkReplayBatch` and
   * `changesToReplay` from `@snek/core` make both decisions; a refused batch writes nothing.
   */
  replayChanges(changes: readonly Change[]): Promise<void>;
}

/** True when the store implements the optional {@link StoreChangeReplay}. */
export function replaysChanges(store: SnekStore): store is SnekStore & StoreChangeReplay {
  return hasCapability(store, 'changeReplay');
}

/** A store's own pool of connections to its database, at one moment. */
export interface ConnectionPoolStats {
  /** Connections open, idle or in use. */
  total: number;
  /** Open connections that no query holds. */
  idle: number;
  /** Queries waiting for a connection because all `max` are in use. */
  waiting: number;
  /** The most connections the pool opens. */
  max: number;
}

/**
 * Optional for stores that talk to a database server through a pool: its counts, for the server's metrics. Answers
 * from memory, without a round trip, so it answers while the database is down (when `waiting` matters most).
 * Checked with {@link poolsConnections}.
 */
export interface StoreConnectionPool {
  connectionPool(): Promise<ConnectionPoolStats>;
}

/** True when the store implements the optional {@link StoreConnectionPool}. */
export function poolsConnections(store: SnekStore): store is SnekStore & StoreConnectionPool {
  return hasCapability(store, 'connectionPool');
}

/**
 * Optional for stores kept in one file: a consistent copy of the whole store in a new file, made while the store
 * serves (SQLite's VACUUM INTO), for `snek-server backup`. Checked with {@link backsUpToFile}.
 */
export interface StoreFileBackup {
  /**
   * Writes the copy to `file`, which must not exist unless `replace` is true; the copy appears under its name only
   * once complete and durable, so a failed backup never leaves a file that looks whole. Resolves with its size.
   * A `file` that exists without `replace` rejects with a `SnekError` `USAGE` and changes nothing.
   */
  backupTo(file: string, options?: { replace?: boolean }): Promise<{ bytes: number }>;
}

/** True when the store implements the optional {@link StoreFileBackup}. */
export function backsUpToFile(store: SnekStore): store is SnekStore & StoreFileBackup {
  return hasCapability(store, 'fileBackup');
}

/** How {@link StoreBrowse.browse} orders sneks: by id (code points), by name (natural), by last change (newest first). */
export type SnekSort = 'id' | 'name' | 'updated';
export const SNEK_SORTS = ['id', 'name', 'updated'] as const satisfies readonly SnekSort[];

/**
 * Where a snek stands in one sort: `key` is its id for `id`, `naturalKey(name)` for `name`, and for `updated` the seq
 * of its newest change (0 when the log holds none). Ties in `key` are broken by `id`. `name` and `id` keys compare in
 * code point order (`compareKeys`); `updated` keys as numbers, higher first.
 */
export interface SortPosition {
  key: string | number;
  id: string;
}

/** What a page's answer tells of a snek's newest change: its `updatedAt` and `updatedBy`. */
export type BrowsedChange = Pick<Change, 'seq' | 'actor' | 'at'>;

/** A page request for {@link StoreBrowse.browse}: at most one of `after` and `before`. */
export interface BrowseQuery {
  sort: SnekSort;
  /** Only sneks of this type. */
  type?: string;
  /** Between 1 and {@link MAX_LIST_LIMIT}; the server always gives it. */
  limit: number;
  /** The sneks strictly after this position, in sort order. */
  after?: SortPosition;
  /** The `limit` sneks just before this position, still in sort order (the page before a page). */
  before?: SortPosition;
}

/** One page of {@link StoreBrowse.browse}: each snek with its position. */
export interface BrowsePage {
  /**
   * `latest`, optional for a store with a change log: the snek's newest change as `latestChanges` would give it (null
   * when the log holds none), read with the page, so the server asks nothing more for the page's `updatedAt`. On
   * every item of a page or on none.
   */
  items: Array<{ snek: Snek; position: SortPosition; latest?: BrowsedChange | null }>;
  /** Whether more sneks lie beyond the page in the direction it was read: after it, or before it for `before`. */
  more: boolean;
}

/**
 * Optional for stores: pages in any {@link SnekSort}, both ways, by keyset on an index, for `GET /v1/sneks?sort=` and
 * the gallery. Without it the server sorts a bounded scan of `list`. `compareSortPositions` from `@snek/core` is the
 * order. Checked with {@link browsesSorted}.
 */
export interface StoreBrowse {
  browse(query: BrowseQuery): Promise<BrowsePage>;
}

/** True when the store implements the optional {@link StoreBrowse}. */
export function browsesSorted(store: SnekStore): store is SnekStore & StoreBrowse {
  return hasCapability(store, 'browse');
}

/** A search for {@link StoreSearch.search}. */
export interface SearchQuery {
  /** The text, 1 to `MAX_SEARCH_LENGTH` characters, as the person typed it; fold it with `foldCase`. */
  q: string;
  /** Only sneks of this type. */
  type?: string;
  /** Between 1 and {@link MAX_LIST_LIMIT}. */
  limit: number;
  /** Only results ranked after this one. */
  after?: SearchRank;
}

/** Results of {@link StoreSearch.search}, best first, each with its rank. */
export interface SearchPage {
  items: Array<{ snek: Snek; rank: SearchRank }>;
  /** Whether more results follow. */
  more: boolean;
}

/**
 * Optional for stores: ranked search of names, ids and types, backed by an index (trigrams), for `GET /v1/sneks?q=`.
 * The results and their order are exactly those of `rankSneks` from `@snek/core` over every snek: an index only finds
 * the candidates, `searchRank` ranks them. Without it the server ranks a bounded scan of `list`. Checked with
 * {@link searchesSneks}.
 */
export interface StoreSearch {
  search(query: SearchQuery): Promise<SearchPage>;
}

/** True when the store implements the optional {@link StoreSearch}. */
export function searchesSneks(store: SnekStore): store is SnekStore & StoreSearch {
  return hasCapability(store, 'search');
}

/**
 * Optional for stores: a load of many sneks (`snek-server import`) told where it begins and ends, so that the store
 * can keep its indexes, counts and search index once for the load rather than row by row. Checked with
 * {@link loadsInBulk}.
 */
export interface StoreBulkLoad {
  /**
   * Runs `load`, which writes through the store's usual calls (putMany, createMany, replayChanges, put, putIf) and
   * reads what it needs, as one bulk load, and settles as `load` does. When it settles, resolved or rejected, every
   * read (get, list, browse, search, countTypes, changes) agrees with what the store holds, as after the same writes
   * made one by one; a rejected load may keep some of its writes or none. Writers in other servers may wait until it
   * settles; readers elsewhere see the store as it was before, or as it is after. Loads do not nest.
   */
  bulkLoad<T>(load: () => Promise<T>): Promise<T>;
}

/** True when the store implements the optional {@link StoreBulkLoad}. */
export function loadsInBulk(store: SnekStore): store is SnekStore & StoreBulkLoad {
  return hasCapability(store, 'bulkLoad');
}

/**
 * Every optional capability, listed once: the server's store guard wraps each method of each one the store has, and
 * the testkit checks that a store has all the methods of a capability or none. A store has a capability when it has
 * every one of its methods.
 */
export const STORE_CAPABILITIES = [
  { name: 'status', methods: ['status'] },
  { name: 'bulkWrite', methods: ['putMany'] },
  { name: 'bulkCreate', methods: ['createMany'] },
  { name: 'typeCount', methods: ['countTypes'] },
  { name: 'seedLedger', methods: ['seeded', 'recordSeeded'] },
  { name: 'conditionalWrite', methods: ['putIf', 'deleteIf'] },
  { name: 'changeLog', methods: ['changes', 'latestChanges'] },
  { name: 'changeFeed', methods: ['watchChanges'] },
  { name: 'snapshot', methods: ['snapshot'] },
  { name: 'changeReplay', methods: ['replayChanges'] },
  { name: 'connectionPool', methods: ['connectionPool'] },
  { name: 'fileBackup', methods: ['backupTo'] },
  { name: 'browse', methods: ['browse'] },
  { name: 'search', methods: ['search'] },
  { name: 'bulkLoad', methods: ['bulkLoad'] },
] as const satisfies ReadonlyArray<{ name: string; methods: readonly [keyof AllStoreCapabilities, ...Array<keyof AllStoreCapabilities>] }>;

/** Every optional method a store may have. */
type AllStoreCapabilities = StoreStatusReporter & StoreBulkWriter & StoreBulkCreator & StoreTypeCounter & StoreSeedLedger & StoreConditionalWriter & StoreChangeLog & StoreChangeFeed & StoreSnapshot & StoreChangeReplay & StoreConnectionPool & StoreFileBackup & StoreBrowse & StoreSearch & StoreBulkLoad;

export type StoreCapability = (typeof STORE_CAPABILITIES)[number];
export type StoreCapabilityName = StoreCapability['name'];

/** True when the store has every method of the capability `name` (see {@link STORE_CAPABILITIES}). */
export function hasCapability(store: SnekStore, name: StoreCapabilityName): boolean {
  const capability = STORE_CAPABILITIES.find((entry) => entry.name === name)!;
  return capability.methods.every((method) => typeof (store as unknown as Record<string, unknown>)[method] === 'function');
}

/** What the server tells a plugin about where it runs. */
export interface StoreContext {
  /** The folder of the `.snekrc` in use, or the working folder when there is none. Resolve relative paths in options against it. */
  configDir: string;
  /**
   * When the server stops waiting for `create` (`server.storeTimeout`), as a `Date.now()` time. A store that
   * retries while its storage comes up should give up just before it, with its own error naming what it tried.
   */
  deadline?: number;
  /** `server.history`: how many changes of each snek a {@link StoreChangeLog} keeps; default {@link DEFAULT_HISTORY_KEEP}. */
  history?: { keep: number };
}

/**
 * What a store package exports as its default export (or as `module.exports` in CommonJS).
 * Wrap it in {@link defineStore} to get type checking.
 */
export interface StorePlugin<Options = unknown> {
  /** The store contract this plugin implements. Only `1` exists today. */
  apiVersion: 1;
  /** A short name shown in logs and errors, such as "sqlite". */
  name: string;
  /**
   * Opens the store. `options` is `server.store.options` from `.snekrc`, unvalidated: check it and
   * throw a `SnekError` with code `STORE_OPTIONS_INVALID` that names the bad option.
   */
  create(options: Options, context: StoreContext): SnekStore | Promise<SnekStore>;
}

/** Identity at run time; gives a plugin author type checking of the plugin object. */
export function defineStore<O>(plugin: StorePlugin<O>): StorePlugin<O> {
  return plugin;
}
