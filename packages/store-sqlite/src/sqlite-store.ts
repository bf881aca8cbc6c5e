import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_HISTORY_KEEP, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, SnekError, decodeCursor, encodeCursor, naturalKey, sameSnek, type Actor, type Change, type ChangeQuery, type ConditionalWriteResult, type Snek, type SnekPage, type SnekQuery, type SnekStore, type StoreBulkCreator, type StoreBulkWriter, type StoreChangeLog, type StoreChangeReplay, type StoreConditionalWriter, type StoreSeedLedger, type StoreStatusReporter, type StoreTypeCounter, type TypeCount, type BrowsePage, type BrowseQuery, type SearchPage, type SearchQuery, type StoreBrowse, type StoreSearch, type WriteOptions, snapshotView, type SnapshotView, type StoreSnapshot, type StoreFileBackup, type StoreBulkLoad } from '@snek/core';
import { SqliteBulkLoad } from './bulk-load.js';
import { SqliteChangeLog } from './change-log.js';
import { SqliteChangeReplay } from './change-replay.js';
import { DatabaseFileIdentity } from './file-identity.js';
import { openConnection, type SqliteConnection, type SqliteDriverChoice, type SqliteStatement } from './driver.js';
import { LoadJournal, openInWal } from './load-journal.js';
import { migrate } from './migrations.js';
import { ReadBatch } from './read-batch.js';
import { openSnapshot } from './snapshot.js';
import { backupInto } from './backup.js';
import { prepareStatements, toSnek } from './statements.js';
import { SqliteBrowse } from './browse.js';
import { SqliteSearch, type SearchLimits } from './search.js';
import { SnekUpserts } from './snek-upserts.js';

const SYNCHRONOUS_NAMES = ['off', 'normal', 'full', 'extra'];

/** A queued write: `expected` undefined is a plain put; otherwise the stored snek must equal it (null: be absent). */
interface PendingWrite {
  snek: Snek;
  expected?: Snek | null;
  actor?: Actor | undefined;
  resolve: (result: ConditionalWriteResult<{ created: boolean }>) => void;
  reject: (error: unknown) => void;
}

/**
 * Sneks in one SQLite file: WAL with synchronous=FULL, so an acknowledged write survives kill -9 and power loss (a bulk
 * load alone on the file has a rollback journal: load-journal.ts). Each write appends its changes to the table
 * `changes` in its own transaction (see change-log.ts).
 */
export class SqliteSnekStore implements SnekStore, StoreStatusReporter, StoreBulkWriter, StoreBulkCreator, StoreConditionalWriter, StoreTypeCounter, StoreSeedLedger, StoreChangeLog, StoreChangeReplay, StoreSnapshot, StoreFileBackup, StoreBrowse, StoreSearch, StoreBulkLoad {
  /**
   * Opens (creating it if need be) and migrates `file` with the chosen driver; `historyKeep` is changes kept per snek,
   * `search` the reads a search may make (SEARCH_LIMITS by default).
   */
  static async open(file: string, options: { driver?: SqliteDriverChoice; historyKeep?: number | undefined; search?: Partial<SearchLimits> } = {}): Promise<SqliteSnekStore> {
    mkdirSync(path.dirname(file), { recursive: true });
    return new SqliteSnekStore(file, await openConnection(file, options.driver), options.historyKeep ?? DEFAULT_HISTORY_KEEP, options.search ?? {});
  }

  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly log: SqliteChangeLog;
  private readonly replay: SqliteChangeReplay;
  private readonly snapshots = new Set<SnapshotView>();
  private closed = false;
  private pending: PendingWrite[] = [];
  private readonly reads: ReadBatch;
  private readonly identity: DatabaseFileIdentity;
  private readonly browser: SqliteBrowse;
  private readonly searcher: SqliteSearch;
  private readonly upserts: SnekUpserts;
  private readonly bulk: SqliteBulkLoad;
  private readonly journal: LoadJournal;
  // The error that failed the bulk load under way past saving: SQLite rolled its transaction back (SQLITE_FULL, IOERR),
  // or its indexes could not be deferred. Its later writes fail with it, and so does the load.
  private loadLost: { error: unknown } | undefined;

  private constructor(
    readonly file: string,
    private readonly db: SqliteConnection,
    historyKeep: number,
    searchLimits: Partial<SearchLimits>,
  ) {
    try {
      // Another process holding the write lock makes us wait busy_timeout ms before SQLITE_BUSY; set first, as
      // switching to WAL and migrating may wait on a server that opened the same new file a moment earlier.
      db.exec('PRAGMA busy_timeout = 5000');
      openInWal(db, file);
      db.exec('PRAGMA synchronous = FULL');
      // 64 MiB of page cache (the default is 2 MiB): writes at a million sneks touch seven indexes and the trigram
      // index in random places, and a cache that holds their upper levels saves a read and a write per row.
      db.exec('PRAGMA cache_size = -65536');
      // Statement journals in memory: an upsert opens one (its triggers, its seven indexes) and writes there the old
      // content of every page it changes; as a temp file that was 20 pwrites a row, most of the import's system time.
      db.exec('PRAGMA temp_store = MEMORY');
      migrate(db, file);
      this.statements = prepareStatements(db);
      this.log = new SqliteChangeLog(db, historyKeep);
      this.upserts = new SnekUpserts(db);
      this.replay = new SqliteChangeReplay(db, this.log, this.upserts);
      this.bulk = new SqliteBulkLoad(db, this.upserts, this.log);
      this.identity = new DatabaseFileIdentity(file);
      this.journal = new LoadJournal(db, this.identity);
      this.browser = new SqliteBrowse(db);
      this.searcher = new SqliteSearch(db, searchLimits);
      this.reads = new ReadBatch((run) => this.inTransaction(this.statements.beginRead, run));
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Which library this store runs on; see the README for which Node gets which. */
  get driver(): SqliteConnection['driver'] {
    return this.db.driver;
  }

  get(id: string): Promise<Snek | undefined> {
    return this.read(`get ${id}`, () => {
      const row = this.statements.get.get(id);
      return row && toSnek(row);
    }, (snek) => snek && { ...snek });
  }

  private read<T>(key: string, run: () => T, copy: (value: T) => T): Promise<T> {
    try {
      this.assertOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.reads.add(key, () => {
      this.identity.assertOncePerTurn();
      return run();
    }, copy);
  }

  /**
   * Queued and committed with every other put of this event-loop turn in one transaction (group commit):
   * one fsync for many writes, and no put resolves before the commit that holds it.
   */
  async put(snek: Snek, options?: WriteOptions): Promise<{ created: boolean }> {
    const result = await this.enqueue(snek, undefined, options);
    return { created: result.ok && result.created };
  }

  /**
   * Group-committed like put. The check runs inside the write transaction (BEGIN IMMEDIATE holds the file's write
   * lock), so neither a put of this turn nor another server on the file can come between the check and the write.
   */
  putIf(snek: Snek, expected: Snek | null, options?: WriteOptions): Promise<ConditionalWriteResult<{ created: boolean }>> {
    return this.enqueue(snek, expected, options);
  }

  /** One write transaction: the row is read, compared and deleted under the file's write lock. */
  async deleteIf(id: string, expected: Snek, options?: WriteOptions): Promise<ConditionalWriteResult<object>> {
    this.assertOpen();
    const { get, delete: remove } = this.statements;
    return this.inTransaction(this.statements.beginWrite, () => {
      const row = get.get(id);
      const current = row && toSnek(row);
      if (!sameSnek(current, expected)) return { ok: false, current };
      remove.run(id);
      this.log.append(id, undefined, options?.actor, new Date().toISOString());
      return { ok: true };
    });
  }

  /** Writes many sneks in one transaction; for bulk imports. */
  async putMany(sneks: readonly Snek[], options?: WriteOptions): Promise<{ created: number }> {
    this.assertOpen();
    return { created: this.writeAll(sneks.map((snek) => ({ snek, actor: options?.actor }))).filter((result) => result.ok && result.created).length };
  }

  /** As putMany, in one transaction, but ids the file holds are left alone. */
  async createMany(sneks: readonly Snek[], options?: WriteOptions): Promise<{ created: string[] }> {
    this.assertOpen();
    const results = this.writeAll(sneks.map((snek) => ({ snek, expected: null, actor: options?.actor })));
    return { created: sneks.filter((_, i) => results[i]!.ok).map((snek) => snek.id) };
  }

  private enqueue(snek: Snek, expected: Snek | null | undefined, options: WriteOptions | undefined): Promise<ConditionalWriteResult<{ created: boolean }>> {
    this.assertOpen();
    return new Promise((resolve, reject) => {
      this.pending.push({ snek: { id: snek.id, name: snek.name, type: snek.type, content: snek.content }, expected, actor: options?.actor, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.commitPending());
    });
  }

  private commitPending(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      const results = this.writeAll(batch);
      batch.forEach((entry, i) => entry.resolve(results[i]!));
    } catch (error) {
      // The transaction rolled back as a whole: none of these writes happened.
      for (const entry of batch) entry.reject(error);
    }
  }

  /**
   * One transaction for the lot, in order, so a later write of an id sees an earlier one. "created" is true exactly
   * when that write made the row; a write whose `expected` does not match writes nothing, logs nothing and reports
   * the row. Every write of the lot shares one `at`: they commit together.
   */
  private writeAll(writes: ReadonlyArray<{ snek: Snek; expected?: Snek | null | undefined; actor?: Actor | undefined }>): Array<ConditionalWriteResult<{ created: boolean }>> {
    const { exists, get } = this.statements;
    this.beforeLoadWrites(writes.length);
    return this.inTransaction(this.statements.beginWrite, () => this.upserts.around(() => {
      const at = new Date().toISOString();
      if (this.bulk.writeNew(writes, at)) return writes.map(() => ({ ok: true, created: true }));
      return writes.map(({ snek, expected, actor }) => {
        let created: boolean;
        if (expected === undefined) {
          created = exists.get(snek.id) === undefined;
        } else {
          const row = get.get(snek.id);
          const current = row && toSnek(row);
          if (!sameSnek(current, expected ?? undefined)) return { ok: false, current };
          created = current === undefined;
        }
        // Logged first, so that the row holds the seq of its newest change (browse sort=updated).
        this.upserts.write(snek, this.log.append(snek.id, snek, actor, at), created);
        return { ok: true, created };
      });
    }));
  }

  /**
   * Writes begin with BEGIN IMMEDIATE, which takes the write lock at once and so waits busy_timeout for another
   * server on the same file. A plain BEGIN starts as a read and upgrades at the first write, and SQLite answers
   * that upgrade SQLITE_BUSY at once, busy handler or not: two servers on one file lost a third of their PUTs.
   */
  private inTransaction<T>(begin: SqliteStatement, run: () => T): T {
    const writes = begin === this.statements.beginWrite;
    if (this.bulk.active) return writes ? this.inSavepoint(run) : run();
    if (writes) this.identity.assertUnchanged();
    if (writes) this.beginWrite();
    else begin.run();
    let result: T;
    try {
      result = run();
      this.statements.commit.run();
    } catch (error) {
      this.rollBack();
      throw error;
    }
    // Checked again after the commit: a write that went into a file removed meanwhile is refused, not acknowledged.
    if (writes) this.identity.assertUnchanged();
    return result;
  }

  /** BEGIN IMMEDIATE, with a timeout on another server's write lock told as an outage of the file. */
  private beginWrite(): void {
    try {
      this.statements.beginWrite.run();
    } catch (error) {
      if (!String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw error;
      throw new SnekError('STORE_UNAVAILABLE', `Another server has held the write lock of ${this.file} for over 5 s (an import holds it from start to end), so this write waited and changed nothing. Try again once that write or import is done.`, { cause: error });
    }
  }

  /**
   * A write inside a bulk load, whose transaction is open: a savepoint, so that a write which fails leaves nothing of
   * itself, as outside a load. The file's checks come at the load's commit.
   */
  private inSavepoint<T>(run: () => T): T {
    if (this.loadLost) throw this.loadLost.error;
    this.identity.assertUnchanged();
    this.statements.savepoint.run();
    try {
      const result = run();
      this.statements.release.run();
      return result;
    } catch (error) {
      try {
        this.statements.rollbackTo.run();
        this.statements.release.run();
      } catch {
        // No savepoint left: SQLite has rolled the load's transaction back, and a write now would commit on its own.
        this.loadLost = { error };
      }
      throw error;
    }
  }

  /** Inside a bulk load, tells it of `rows` sneks to come (it may defer its indexes now); a failure there fails the load. */
  private beforeLoadWrites(rows: number): void {
    if (!this.bulk.active) return;
    if (this.loadLost) throw this.loadLost.error;
    try {
      this.bulk.writing(rows);
    } catch (error) {
      this.loadLost = { error };
      throw error;
    }
  }

  /**
   * One write transaction for the whole load, its writes nested in it as savepoints, so one commit, and indexes built
   * once for a large load (see bulk-load.ts). It holds the file's write lock to its end: writers in other servers wait
   * busy_timeout and then fail with STORE_UNAVAILABLE; readers there see the file as before the load until it
   * commits. A load that rejects keeps none of its writes. Writes of this store made meanwhile by others than the load
   * join it.
   */
  async bulkLoad<T>(load: () => Promise<T>): Promise<T> {
    this.assertOpen();
    if (this.bulk.active) throw new SnekError('INTERNAL', `A bulk load into ${this.file} was started inside another; loads do not nest.`);
    // Puts and reads queued before the load are answered before it.
    if (this.pending.length) this.commitPending();
    this.reads.flush();
    this.identity.assertUnchanged();
    this.journal.enter();
    let result: T;
    try {
      this.beginWrite();
      this.bulk.begin();
      result = await load();
      if (this.loadLost) throw this.loadLost.error;
      this.bulk.finish();
      this.statements.commit.run();
    } catch (error) {
      this.rollBack();
      throw error;
    } finally {
      this.bulk.end();
      this.loadLost = undefined;
      this.journal.leave();
    }
    this.identity.assertUnchanged();
    return result;
  }

  /** Rolls the open transaction back; some errors (SQLITE_FULL, SQLITE_IOERR) have rolled it back already. */
  private rollBack(): void {
    try {
      this.statements.rollback.run();
    } catch {}
  }

  /** A write outside inTransaction, with the same checks around it. */
  private written<T>(run: () => T): T {
    this.identity.assertUnchanged();
    const result = run();
    this.identity.assertUnchanged();
    return result;
  }

  /** One write transaction: a delete that removed a row logs it; a delete of nothing logs nothing. */
  async delete(id: string, options?: WriteOptions): Promise<boolean> {
    this.assertOpen();
    return this.inTransaction(this.statements.beginWrite, () => {
      if (Number(this.statements.delete.run(id).changes) === 0) return false;
      this.log.append(id, undefined, options?.actor, new Date().toISOString());
      return true;
    });
  }

  /** One write transaction for the batch (see change-replay.ts): a refused or failed batch leaves none of it. */
  async replayChanges(changes: readonly Change[]): Promise<void> {
    this.assertOpen();
    this.beforeLoadWrites(changes.length);
    this.inTransaction(this.statements.beginWrite, () => this.replay.apply(changes));
  }

  /** A read transaction on a connection of its own (see snapshot.ts), closed with the store if still open. */
  async snapshot(): Promise<SnapshotView> {
    this.assertOpen();
    this.identity.assertUnchanged();
    const source = await openSnapshot(this.file, this.db.driver);
    const release = source.release;
    const view = snapshotView({ ...source, release: () => (this.snapshots.delete(view), release()) });
    this.snapshots.add(view);
    if (this.closed) await view.close();
    return view;
  }

  /** A consistent copy of the file as of one moment, made beside the writes (see backup.ts). */
  async backupTo(file: string, options: { replace?: boolean } = {}): Promise<{ bytes: number }> {
    this.assertOpen();
    this.identity.assertUnchanged();
    return backupInto(this.file, file, this.db.driver, options.replace ?? false);
  }

  changes(query: ChangeQuery = {}): Promise<Change[]> {
    const key = `changes ${JSON.stringify([query.after, query.before, query.id, query.limit, query.order])}`;
    return this.read(key, () => this.log.read(query), copyChanges);
  }

  latestChanges(ids: readonly string[]): Promise<Change[]> {
    return this.read(`latestChanges ${JSON.stringify(ids)}`, () => this.log.latest(ids), copyChanges);
  }

  list(query: SnekQuery = {}): Promise<SnekPage> {
    const key = `list ${JSON.stringify([query.name, query.type, query.limit, query.cursor])}`;
    return this.read(key, () => this.page(query), (page) => ({ items: page.items.map((snek) => ({ ...snek })), nextCursor: page.nextCursor }));
  }

  private page(query: SnekQuery): SnekPage {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIST_LIMIT, 1), MAX_LIST_LIMIT);
    // Every slug sorts after '', so '' means "from the start".
    const after = query.cursor === undefined ? '' : decodeCursor(query.cursor);
    const statement = this.statements.list[(query.name === undefined ? 0 : 1) + (query.type === undefined ? 0 : 2)]!;
    // node:sqlite refuses parameters a statement does not name, so only the filters given are passed.
    const params: Record<string, string | number> = { after, limit: limit + 1 };
    if (query.name !== undefined) Object.assign(params, { name: query.name, name_key: naturalKey(query.name) });
    if (query.type !== undefined) params['type'] = query.type;
    const rows = statement.all(params).map(toSnek);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!.id) : null };
  }

  /** Pages in any sort by keyset on its index (see browse.ts). */
  browse(query: BrowseQuery): Promise<BrowsePage> {
    const key = `browse ${JSON.stringify([query.sort, query.type, query.limit, query.after, query.before])}`;
    return this.read(key, () => this.browser.browse(query), (page) => ({ items: page.items.map((item) => ({ snek: { ...item.snek }, position: { ...item.position } })), more: page.more }));
  }

  /** Ranked search, tier by tier from the indexes (see search.ts). */
  search(query: SearchQuery): Promise<SearchPage> {
    const key = `search ${JSON.stringify([query.q, query.type, query.limit, query.after])}`;
    return this.read(key, () => this.searcher.search(query), (page) => ({ items: page.items.map((item) => ({ snek: { ...item.snek }, rank: { ...item.rank } })), more: page.more }));
  }

  /**
   * The table type_counts, kept by triggers in each write's own transaction: one row per type, whatever the number of
   * sneks. SQLite's BINARY order is code-unit order for types: they are ASCII slugs.
   */
  countTypes(): Promise<TypeCount[]> {
    return this.read('countTypes', () => this.statements.countTypes.all().map((row) => ({ type: row['type'] as string, count: Number(row['count']) })), (counts) => counts.map((entry) => ({ ...entry })));
  }

  seeded(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return this.read('seeded []', () => [], () => []);
    const list = JSON.stringify(ids);
    return this.read(`seeded ${list}`, () => {
      const found = new Set(this.statements.seeded.all(list).map((row) => row['id'] as string));
      return ids.filter((id) => found.has(id));
    }, (seeded) => [...seeded]);
  }

  /** One statement, so one transaction: durable (synchronous=FULL) when it resolves. */
  async recordSeeded(ids: readonly string[]): Promise<void> {
    this.assertOpen();
    if (ids.length > 0) this.written(() => this.statements.recordSeeded.run(JSON.stringify(ids)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Puts and reads already accepted are done before the file closes.
    if (this.pending.length) this.commitPending();
    this.reads.flush();
    await Promise.all([...this.snapshots].map((view) => view.close()));
    this.db.close();
  }

  async status(): Promise<Record<string, unknown>> {
    this.assertOpen();
    this.identity.assertUnchanged();
    const { pragmas } = this.statements;
    return {
      file: this.file,
      driver: this.db.driver,
      schemaVersion: pragmas.userVersion.get()!['user_version'],
      journalMode: pragmas.journalMode.get()!['journal_mode'],
      synchronous: SYNCHRONOUS_NAMES[pragmas.synchronous.get()!['synchronous'] as number],
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new SnekError('STORE_CLOSED', `The sqlite store on ${this.file} is closed. Open a new one.`);
  }
}

function copyChanges(changes: Change[]): Change[] {
  return changes.map((change) => ({ ...change, ...(change.snek ? { snek: { ...change.snek } } : {}), actor: change.actor && { ...change.actor } }));
}
