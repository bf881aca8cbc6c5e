import pg from 'pg';
import {
  DEFAULT_CHANGES_LIMIT,
  DEFAULT_HISTORY_KEEP,
  DEFAULT_LIST_LIMIT,
  MAX_CHANGES_LIMIT,
  MAX_LIST_LIMIT,
  SnekError,
  decodeCursor,
  encodeCursor,
  type Change,
  type ChangeQuery,
  type ConditionalWriteResult,
  type ConnectionPoolStats,
  type Snek,
  type SnekPage,
  type SnekQuery,
  type SnekStore,
  type SnapshotView,
  type StoreSnapshot,
  snapshotView,
  type StoreBulkCreator,
  type StoreBulkWriter,
  type StoreChangeFeed,
  type StoreChangeLog,
  type StoreChangeReplay,
  type StoreConditionalWriter,
  type StoreConnectionPool,
  type StoreSeedLedger,
  type StoreStatusReporter,
  type StoreTypeCounter,
  type TypeCount,
  type WriteOptions,
  type BrowsePage,
  type BrowseQuery,
  type SearchPage,
  type SearchQuery,
  type StoreBrowse,
  type StoreSearch,
  type StoreBulkLoad,
} from '@snek/core';
import { BulkLoad, analyzeAfterLoad, deferredIndexes } from './bulk-load.js';
import { COPY_PART, COPY_ROWS, changeRows, copyRows, lazily, slices, snekRows, type SnekRows } from './copy-rows.js';
import { ChangeFeed, changeChannel } from './change-feed.js';
import { replayInto, replayStatements, type ReplayStatements } from './change-replay.js';
import { openSnapshot } from './snapshot.js';
import { applicationName, messageOf } from './connect.js';
import { describeTarget, redact, type PostgresSettings } from './options.js';
import { PutBatches, type QueuedPut } from './put-batches.js';
import { browse, browseStatements, type BrowseStatements } from './browse.js';
import { nameColumns, trigramOps } from './name-columns.js';
import { NEAR_MISS_SAMPLE_ABOVE, SAMPLE_AGE_MS, SAMPLE_SIZE, SearchSample } from './search-sample.js';
import { sampledStatements, type SampledStatements } from './sampled-statements.js';
import { FALLBACK_SCAN, searchStatements, searchTiers, type SearchStatements } from './search-tiers.js';
import { COMPACT_SLACK, countStatements } from './type-counts.js';
import { bulkUpserts, oneRowPerId, statements, toChange, type ChangeRow, type Statements } from './statements.js';

/**
 * For bulk writes' transactions: the planner prices retention's walk for thousands of ids past jit_above_cost, and
 * compiling the statement then takes longer (0.6 s here) than running it (0.2 s for 5000 sneks).
 */
const NO_JIT = 'SET LOCAL jit = off';

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint): a row refused, the rest of its batch blameless. */
const rowRefused = (error: unknown) => /^2[23]/.test(String((SnekError.is(error) ? (error.cause as { code?: unknown } | undefined)?.code : undefined) ?? ''));

const UNIQUE_VIOLATION = '23505';

/** The methods that only read: within a bulk load, the first call that writes begins its transaction. */
const READS = new Set(['get', 'list', 'countTypes', 'browse', 'search', 'changes', 'latestChanges', 'seeded', 'status']);

/** The actor as the log's jsonb parameter: JSON, or null for a write that names nobody. */
const actorOf = (options: WriteOptions | undefined) => (options?.actor ? JSON.stringify(options.actor) : null);

/**
 * Sneks in PostgreSQL, through a pool of this store's own. Every write is one autocommitted statement or one
 * transaction, so a call resolves only after its commit; what that commit survives is PostgreSQL's setting
 * (synchronous_commit, fsync; see the README). Each write appends its changes to the table `changes` in that same
 * statement or transaction, and notifies the change feed's channel. Concurrent puts share one statement
 * (put-batches.ts).
 */
export class PostgresSnekStore implements SnekStore, StoreStatusReporter, StoreBulkWriter, StoreBulkCreator, StoreConditionalWriter, StoreTypeCounter, StoreSeedLedger, StoreChangeLog, StoreChangeFeed, StoreChangeReplay, StoreConnectionPool, StoreSnapshot, StoreBrowse, StoreSearch, StoreBulkLoad {
  private readonly pool: pg.Pool;
  private readonly sql: Statements;
  private readonly replaySql: ReplayStatements;
  private readonly browseSql: BrowseStatements;
  private readonly searchSql: SearchStatements;
  private readonly sampledSql: SampledStatements;
  // The search sample (search-sample.ts): the one serving, and when it was asked for; a newer one replaces it once taken.
  private sampled: { at: number; sample: Promise<SearchSample | undefined> } | undefined;
  private readonly countSql: ReturnType<typeof countStatements>;
  private readonly trigram: { schema: string } | { missing: string };
  private compacting: Promise<void> | undefined;
  private readonly channel: string;
  private readonly feeds = new Set<ChangeFeed>();
  private readonly snapshots = new Set<SnapshotView>();
  private closed = false;
  /** The load in progress (bulk-load.ts): every call goes through its connection and transaction until it ends. */
  private loading: BulkLoad | undefined;
  private brokenConnections = 0;
  // Named statements are parsed once per connection; PostgreSQL keeps their plans.
  private readonly names = new Map<string, string>();
  private readonly puts = new PutBatches((batch) => this.writePuts(batch));

  /** Use the plugin's create(): it validates the options, waits for PostgreSQL and migrates the schema first. */
  constructor(
    readonly settings: PostgresSettings,
    options: { historyKeep?: number | undefined; trigram?: { schema: string } | { missing: string } } = {},
  ) {
    const schema = pg.escapeIdentifier(settings.target.schema);
    this.trigram = options.trigram ?? { missing: 'not looked for' };
    this.browseSql = browseStatements(schema);
    this.searchSql = searchStatements(schema, 'schema' in this.trigram ? this.trigram.schema : undefined);
    this.sampledSql = sampledStatements(schema, 'schema' in this.trigram ? this.trigram.schema : undefined);
    this.countSql = countStatements(schema);
    this.channel = changeChannel(settings.target.schema);
    const log = { keep: options.historyKeep ?? DEFAULT_HISTORY_KEEP, channel: this.channel };
    this.sql = statements(pg.escapeIdentifier(settings.target.schema), log);
    this.replaySql = replayStatements(pg.escapeIdentifier(settings.target.schema), log);
    this.pool = new pg.Pool({
      ...settings.connection,
      max: settings.poolMax,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      // The server cancels a slow statement; the client stops waiting at the same time if the server is gone.
      statement_timeout: settings.statementTimeoutMs,
      query_timeout: settings.statementTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      idleTimeoutMillis: 30_000,
      application_name: applicationName(settings.target.schema),
    });
    // An idle connection that breaks (PostgreSQL restarted) is dropped by the pool; without a listener it would crash the process.
    this.pool.on('error', () => {
      this.brokenConnections++;
    });
  }

  async get(id: string): Promise<Snek | undefined> {
    const { rows } = await this.run<Snek>('get', this.sql.get, [id]);
    return rows[0];
  }

  /** One statement: `created` comes from the row itself, so two servers racing on a new id get one `true`. */
  async put(snek: Snek, options?: WriteOptions): Promise<{ created: boolean }> {
    this.assertOpen();
    return this.puts.add({ id: snek.id, name: snek.name, type: snek.type, content: snek.content }, actorOf(options));
  }

  /** The puts of one batch: alone, the one statement of a put; together, one statement for all (put-batches.ts). */
  private async writePuts(puts: QueuedPut[]): Promise<void> {
    const alone = async ({ snek, actor, resolve, reject }: QueuedPut) => {
      try {
        const { key, folded } = nameColumns(snek.name);
        const { rows } = await this.query<{ created: boolean }>('put', this.sql.put, [snek.id, snek.name, snek.type, snek.content, actor, key, folded]);
        resolve({ created: rows[0]!.created });
      } catch (error) {
        reject(error);
      }
    };
    if (puts.length === 1) return alone(puts[0]!);
    const column = (pick: (put: QueuedPut) => string | null) => puts.map(pick);
    try {
      const names = puts.map((p) => nameColumns(p.snek.name));
      const { rows } = await this.query<{ id: string; created: boolean }>('put', this.sql.putBatch, [column((p) => p.snek.id), column((p) => p.snek.name), column((p) => p.snek.type), column((p) => p.snek.content), column((p) => p.actor), names.map((n) => n.key), names.map((n) => n.folded)]);
      const created = new Map(rows.map((row) => [row.id, row.created]));
      for (const put of puts) put.resolve({ created: created.get(put.snek.id)! });
    } catch (error) {
      // A row PostgreSQL refused (data exception, constraint) rolled the statement back: each put is tried alone, in
      // order, its ids still held from later batches, so it fails only for a reason of its own. Any other failure may
      // have committed (a lost connection, a timeout), so no put is tried again.
      if (!rowRefused(error)) {
        for (const put of puts) put.reject(error);
        return;
      }
      for (const put of puts) await alone(put);
    }
  }

  async delete(id: string, options?: WriteOptions): Promise<boolean> {
    return ((await this.run('delete', this.sql.delete, [id, actorOf(options)])).rowCount ?? 0) > 0;
  }

  /** One statement checks and writes (see statements.ts); only a refused write reads the row, to report it. */
  async putIf(snek: Snek, expected: Snek | null, options?: WriteOptions): Promise<ConditionalWriteResult<{ created: boolean }>> {
    const { key, folded } = nameColumns(snek.name);
    const written =
      expected === null
        ? await this.run('putIf', this.sql.create, [snek.id, snek.name, snek.type, snek.content, actorOf(options), key, folded])
        : await this.run('putIf', this.sql.updateIf, [snek.id, snek.name, snek.type, snek.content, expected.name, expected.type, expected.content, actorOf(options), key, folded]);
    if ((written.rowCount ?? 0) > 0) return { ok: true, created: expected === null };
    return { ok: false, current: await this.get(snek.id) };
  }

  async deleteIf(id: string, expected: Snek, options?: WriteOptions): Promise<ConditionalWriteResult<object>> {
    const deleted = await this.run('deleteIf', this.sql.deleteIf, [id, expected.name, expected.type, expected.content, actorOf(options)]);
    if ((deleted.rowCount ?? 0) > 0) return { ok: true };
    return { ok: false, current: await this.get(id) };
  }

  async list(query: SnekQuery = {}): Promise<SnekPage> {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIST_LIMIT, 1), MAX_LIST_LIMIT);
    // Every id sorts after '', so '' means "from the start".
    const after = query.cursor === undefined ? '' : decodeCursor(query.cursor);
    const filters = [query.name, query.type, query.name === undefined ? undefined : nameColumns(query.name).key].filter((value) => value !== undefined);
    const variant = (query.name === undefined ? 0 : 1) + (query.type === undefined ? 0 : 2);
    const { rows } = await this.run<Snek>('list', this.sql.list[variant]!, [after, limit + 1, ...filters]);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!.id) : null };
  }

  /** The sums of the appended counts (type-counts.ts); a read that met many rows compacts them, after it answers. */
  async countTypes(): Promise<TypeCount[]> {
    const { rows } = await this.run<{ type: string; count: string; rows: number }>('countTypes', this.countSql.read, []);
    const counts = rows.filter((row) => Number(row.count) > 0).map((row) => ({ type: row.type, count: Number(row.count) }));
    if (rows.reduce((sum, row) => sum + row.rows, 0) > rows.length + COMPACT_SLACK) this.compactCounts();
    return counts.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  }

  /** One compaction at a time per store; a failed one leaves the rows as they were, for the next read to try. */
  private compactCounts(): void {
    this.compacting ??= this.query('countTypes', this.countSql.compact, [])
      .then(() => undefined, () => undefined)
      .finally(() => (this.compacting = undefined));
  }

  async browse(query: BrowseQuery): Promise<BrowsePage> {
    this.assertOpen();
    return browse((method, text, values) => this.query(method, text, values), this.browseSql, query);
  }

  /** Tier by tier (search-tiers.ts); unnamed statements, planned for each text. */
  async search(query: SearchQuery): Promise<SearchPage> {
    this.assertOpen();
    const db = {
      plan: <R extends pg.QueryResultRow>(text: string, values: unknown[]) => this.query<R>('search', text, values, false),
      // Several statements in one simple query: one round trip, one implicit transaction (for SET LOCAL); the last's rows.
      script: async <R extends pg.QueryResultRow>(text: string) => {
        const results = (await this.query<R>('search', text, undefined, false)) as unknown as pg.QueryResult<R> | Array<pg.QueryResult<R>>;
        return Array.isArray(results) ? results.at(-1)! : results;
      },
    };
    return searchTiers(db, this.searchSql, query, async () => (await this.countTypes()).map((count) => count.type), { sql: this.sampledSql, sample: () => this.searchSample() });
  }

  /** The sample search estimates with; undefined for a store of at most NEAR_MISS_SAMPLE_ABOVE sneks. Taken again when old. */
  private searchSample(): Promise<SearchSample | undefined> {
    const serving = this.sampled;
    if (serving && Date.now() - serving.at < SAMPLE_AGE_MS) return serving.sample;
    const taking = this.takeSample();
    this.sampled = { at: Date.now(), sample: serving ? taking.then((sample) => sample, () => serving.sample) : taking };
    // A failed first sample is asked for again by the next search.
    if (!serving) taking.catch(() => (this.sampled = undefined));
    return serving ? serving.sample : taking;
  }

  private async takeSample(): Promise<SearchSample | undefined> {
    const total = (await this.countTypes()).reduce((sum, count) => sum + count.count, 0);
    if (total <= NEAR_MISS_SAMPLE_ABOVE) return undefined;
    const { rows } = await this.query<{ name_key: string; id: string; name_folded: string }>('search', this.sampledSql.sample, [Math.min(100, (100 * SAMPLE_SIZE) / total)], false);
    return new SearchSample(total, rows);
  }

  /**
   * In one transaction: batches of multi-row upserts, each sorted by id so that two imports cannot deadlock, then
   * their changes, one per id (of an id given twice, the last snek is the one written).
   */
  async putMany(sneks: readonly Snek[], options?: WriteOptions): Promise<{ created: number }> {
    this.assertOpen();
    if (sneks.length === 0) return { created: 0 };
    const kept = oneRowPerId(sneks, 'last');
    return this.inTransaction('putMany', async (client) => {
      const copied = await this.copyFresh(client, kept, actorOf(options));
      if (copied) return { created: copied.length };
      const batches = bulkUpserts(kept);
      await client.query(NO_JIT);
      let created = 0;
      for (const values of batches) {
        const { rows } = await client.query<{ created: boolean }>(this.sql.putMany, values);
        created += rows.filter((row) => row.created).length;
      }
      for (const values of batches) await client.query(this.sql.logBulk, [...values.slice(0, 4), actorOf(options)]);
      return { created };
    }, sneks.length);
  }

  /** As putMany, with ON CONFLICT DO NOTHING: as fast, and an id the table holds is left alone (of a batch, the first snek of an id). */
  async createMany(sneks: readonly Snek[], options?: WriteOptions): Promise<{ created: string[] }> {
    this.assertOpen();
    if (sneks.length === 0) return { created: [] };
    const kept = oneRowPerId(sneks, 'first');
    return this.inTransaction('createMany', async (client) => {
      const copied = await this.copyFresh(client, kept, actorOf(options));
      if (copied) return { created: copied };
      const batches = bulkUpserts(kept);
      await client.query(NO_JIT);
      const created = new Set<string>();
      for (const values of batches) for (const row of (await client.query<{ id: string }>(this.sql.createMany, values)).rows) created.add(row.id);
      for (const [ids, names, types, contents] of batches) {
        const kept = ids!.flatMap((id, i) => (created.has(id) ? [i] : []));
        if (kept.length > 0) await client.query(this.sql.logBulk, [kept.map((i) => ids![i]), kept.map((i) => names![i]), kept.map((i) => types![i]), kept.map((i) => contents![i]), actorOf(options)]);
      }
      return { created: [...created] };
    }, sneks.length);
  }

  /**
   * In a load that began on an empty store (bulk-load.ts `copies`): the sneks by COPY (copy-rows.ts), every batch,
   * then their changes with seqs taken at once. Every row is new (the primary key checks it: a conflict undoes the
   * copy, and the sneks go the usual way, as every later write does) and no id has another change, so retention has
   * nothing to prune. Gives the ids written, or undefined for the usual way.
   */
  private async copyFresh(client: pg.ClientBase, sneks: readonly Snek[], actor: string | null): Promise<string[] | undefined> {
    if (!this.loading?.copies) return undefined;
    // Per COPY, the parts of its rows, which the changes copy from.
    const copies: SnekRows[][] = [];
    await client.query('SAVEPOINT snek_copy');
    try {
      for (let at = 0; at < sneks.length; at += COPY_ROWS) {
        const parts: SnekRows[] = [];
        copies.push(parts);
        await copyRows(client, this.sql.copySneks, lazily(slices(sneks, at, Math.min(at + COPY_ROWS, sneks.length), COPY_PART), (part) => {
          const rows = snekRows(part);
          parts.push(rows);
          return rows.rows;
        }));
      }
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
      await client.query('ROLLBACK TO SAVEPOINT snek_copy; RELEASE SAVEPOINT snek_copy');
      this.loading.spoil();
      return undefined;
    }
    await client.query('RELEASE SAVEPOINT snek_copy');
    for (const parts of copies) {
      const count = parts.reduce((sum, rows) => sum + rows.spans.length / 2, 0);
      const { rows: taken } = await client.query<{ last: string; at: Buffer }>(this.sql.takeSeqs, [count]);
      let seq = BigInt(taken[0]!.last) - BigInt(count) + 1n;
      await copyRows(client, this.sql.copyChanges, lazily(parts, (rows) => {
        const part = changeRows(rows, seq, actor, taken[0]!.at);
        seq += BigInt(rows.spans.length / 2);
        return part;
      }));
    }
    return sneks.map((snek) => snek.id);
  }

  /** One transaction for the batch (see change-replay.ts): a refused or failed batch leaves none of it. */
  async replayChanges(changes: readonly Change[]): Promise<void> {
    this.assertOpen();
    await this.inTransaction('replayChanges', (client) => replayInto(client, this.replaySql, changes), changes.length);
  }

  async changes(query: ChangeQuery = {}): Promise<Change[]> {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_CHANGES_LIMIT, 0), MAX_CHANGES_LIMIT);
    const order = query.order === 'desc' ? 'desc' : 'asc';
    const bounds = [query.after ?? 0, query.before ?? Number.MAX_SAFE_INTEGER, limit];
    const { rows } = query.id === undefined ? await this.run<ChangeRow>('changes', this.sql.changes.all[order], bounds) : await this.run<ChangeRow>('changes', this.sql.changes.id[order], [...bounds, query.id]);
    return rows.map(toChange);
  }

  async latestChanges(ids: readonly string[]): Promise<Change[]> {
    this.assertOpen();
    if (ids.length === 0) return [];
    return (await this.run<ChangeRow>('latestChanges', this.sql.latestChanges, [ids])).rows.map(toChange);
  }

  /**
   * The change feed: one connection of its own LISTENing on this schema's channel (see change-feed.ts), at
   * `listenUrl` when that is set. Resolves after its first attempt to listen; if that failed, it keeps trying.
   */
  async watchChanges(wake: () => void): Promise<() => Promise<void>> {
    this.assertOpen();
    const feed = new ChangeFeed({ connection: this.settings.listenConnection, channel: this.channel, connectTimeoutMs: this.settings.connectTimeoutMs, applicationName: applicationName(this.settings.target.schema) }, wake);
    this.feeds.add(feed);
    await feed.start();
    return async () => {
      this.feeds.delete(feed);
      await feed.stop();
    };
  }

  /** One pooled connection in a REPEATABLE READ READ ONLY transaction (see snapshot.ts), given back on close. */
  async snapshot(): Promise<SnapshotView> {
    this.assertOpen();
    const { target } = this.settings;
    const source = await openSnapshot(this.pool, this.sql, `A snapshot of the postgres store on ${describeTarget(target)}, schema "${target.schema}"`, (method, error) => this.failure(method, error));
    const release = source.release;
    const view = snapshotView({ ...source, release: () => (this.snapshots.delete(view), release()) });
    this.snapshots.add(view);
    if (this.closed) await view.close();
    return view;
  }

  async seeded(ids: readonly string[]): Promise<string[]> {
    const { rows } = await this.run<{ id: string }>('seeded', this.sql.seeded, [ids]);
    const found = new Set(rows.map((row) => row.id));
    return ids.filter((id) => found.has(id));
  }

  async recordSeeded(ids: readonly string[]): Promise<void> {
    await this.run('recordSeeded', this.sql.recordSeeded, [ids]);
  }

  /** For /readyz: one round trip, bounded by connectTimeout and statementTimeout. */
  async status(): Promise<Record<string, unknown>> {
    const { rows } = await this.run<{ version: number }>('status', this.sql.schemaVersion, []);
    const { host, port, database, schema } = this.settings.target;
    return {
      host,
      port,
      database,
      schema,
      schemaVersion: rows[0]!.version,
      search: 'schema' in this.trigram ? { index: 'pg_trgm' } : { index: 'none', reason: this.trigram.missing, nearMissScan: FALLBACK_SCAN },
      pool: { max: this.settings.poolMax, open: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount, broken: this.brokenConnections },
    };
  }

  /** From the pool's own counts: no round trip, so it answers while PostgreSQL is down. */
  async connectionPool(): Promise<ConnectionPoolStats> {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount, max: this.settings.poolMax };
  }

  /**
   * One connection and one transaction for the whole load (bulk-load.ts): other servers read the store as it was
   * until it commits, and their writes wait for it. A load whose first write has 500 rows or more drops the search
   * and sort indexes first and builds them after its commit; a rejected load rolls back, keeping none of its writes.
   */
  async bulkLoad<T>(load: () => Promise<T>): Promise<T> {
    this.assertOpen();
    const { target } = this.settings;
    if (this.loading) throw new SnekError('STORE_UNAVAILABLE', `The postgres store on ${describeTarget(target)}, schema "${target.schema}", is in a bulk load already: loads do not nest. Run the second after the first has settled.`);
    const connection = { ...this.settings.connection, statement_timeout: this.settings.statementTimeoutMs, keepAlive: true, application_name: applicationName(target.schema) };
    let session: BulkLoad;
    try {
      const schema = pg.escapeIdentifier(target.schema);
      session = await BulkLoad.open(connection, target.schema, deferredIndexes(schema, trigramOps(this.trigram)), analyzeAfterLoad(schema), { claim: this.sql.claimCounter, check: this.sql.isFresh });
    } catch (error) {
      throw this.failure('bulkLoad', error);
    }
    this.loading = session;
    let result: T;
    try {
      result = await load();
    } catch (error) {
      await this.puts.idle();
      this.loading = undefined;
      await session.finish(false).catch(() => undefined);
      throw error;
    }
    await this.puts.idle();
    this.loading = undefined;
    try {
      await session.finish(true);
    } catch (error) {
      throw this.failure('bulkLoad', error);
    }
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Puts queued before close still commit.
    await this.puts.idle();
    await this.compacting;
    await Promise.all([...this.feeds].map((feed) => feed.stop()));
    this.feeds.clear();
    await Promise.all([...this.snapshots].map((view) => view.close()));
    // Waits for the queries in flight, then closes every connection.
    await this.pool.end();
  }

  private async run<R extends pg.QueryResultRow = pg.QueryResultRow>(method: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    return this.query<R>(method, text, values);
  }

  /** As run, also once close has begun: for the puts queued before it. */
  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(method: string, text: string, values: unknown[] | undefined, named = true): Promise<pg.QueryResult<R>> {
    try {
      let name = this.names.get(text);
      if (named && name === undefined) this.names.set(text, (name = `snek_${this.names.size}`));
      const on = (db: pg.Pool | pg.ClientBase) => (named ? db.query<R>({ name, text, values }) : db.query<R>(text, values));
      if (this.loading && !READS.has(method)) this.loading.spoil();
      if (this.loading) return await this.loading.run(READS.has(method) ? 0 : 1, on);
      return await on(this.pool);
    } catch (error) {
      throw this.failure(method, error);
    }
  }

  /** `rows`: how many rows it writes, for a bulk load, whose transaction it joins (as a savepoint) instead. */
  private async inTransaction<T>(method: string, work: (client: pg.ClientBase) => Promise<T>, rows = 1): Promise<T> {
    this.assertOpen();
    if (this.loading) {
      if (method !== 'putMany' && method !== 'createMany') this.loading.spoil();
      try {
        return await this.loading.run(rows, work);
      } catch (error) {
        throw this.failure(method, error);
      }
    }
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.failure(method, error);
    }
    // A checked-out client has no pool listener; one that breaks between our queries must not crash the process.
    const ignore = () => undefined;
    client.on('error', ignore);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw this.failure(method, error);
    } finally {
      client.off('error', ignore);
      client.release(broken);
    }
  }

  private failure(method: string, error: unknown): SnekError {
    if (SnekError.is(error)) return error;
    const reason = redact(messageOf(error), this.settings.secrets);
    const where = `PostgreSQL at ${describeTarget(this.settings.target)}`;
    if ((error as { code?: string }).code === '53100') {
      return new SnekError('STORE_FULL', `${where} has no disk space left (${reason}), so ${method} failed and changed nothing. Free some space; reads still work.`, { cause: error });
    }
    return new SnekError('STORE_UNAVAILABLE', `The postgres store failed on ${method}: ${where}: ${reason}. Check that PostgreSQL is up; the store reconnects by itself.`, { cause: error });
  }

  private assertOpen(): void {
    if (this.closed) throw new SnekError('STORE_CLOSED', `The postgres store on ${describeTarget(this.settings.target)}, schema "${this.settings.target.schema}", is closed. Open a new one.`);
  }
}
