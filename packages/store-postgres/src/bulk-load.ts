import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * The indexes a bulk load drops before it writes and builds each once at its end, which at 1M rows is far cheaper
 * than keeping them row by row (the trigram GIN indexes most). Those of `sneks` serve only search and sorted pages;
 * those of `changes` (one snek's history, sort=updated with a type, and retention) only a load into an empty store
 * and log drops, since only there no write of the load reads them. Every statement still answers without them, by
 * scans. `ops`: pg_trgm's operator class, when pg_trgm is there.
 */
export function deferredIndexes(schema: string, ops: string | undefined): DeferredIndex[] {
  const index = (table: DeferredIndex['table'], name: string, how: string) => ({ table, name, qualified: `${schema}.${name}`, create: `CREATE INDEX IF NOT EXISTS ${name} ON ${schema}.${table} ${how}` });
  const trigram = (name: string, column: string) => (ops === undefined ? [] : [index('sneks', name, `USING gin (${column} ${ops})`)]);
  // Longest build first, so that the two builders end together; those of `changes` before ANALYZE of it (bulk-load
  // puts that before the last build), which waits for them.
  return [
    ...trigram('sneks_name_trgm', 'name_folded'),
    index('sneks', 'sneks_type_name_key_id', '(type, name_key, id)'),
    ...trigram('sneks_id_trgm', 'id'),
    index('changes', 'changes_put_type_seq', "(type, seq) WHERE op = 'put'"),
    index('changes', 'changes_id_seq', '(id, seq)'),
    index('sneks', 'sneks_type_id', '(type, id)'),
    index('sneks', 'sneks_name_key_id', '(name_key, id)'),
  ];
}

export interface DeferredIndex {
  table: 'sneks' | 'changes';
  name: string;
  qualified: string;
  create: string;
}

/**
 * After a big load, fresh statistics: the planner would go on pricing the tables at their size before it until
 * autovacuum. Only the columns statements filter, join or sort on: the art (and a change's copy of the snek, its
 * actor and time) is never compared, and sorting its sample for a histogram was much of ANALYZE's time.
 */
export const analyzeAfterLoad = (schema: string) => ({ sneks: `ANALYZE ${schema}.sneks (id, name, type, name_key, name_folded)`, changes: `ANALYZE ${schema}.changes (seq, id, op, type)` });

/** The advisory lock a load holds for its whole session; a store that opens meanwhile leaves the indexes to it. */
export function loadLockKey(schema: string): string {
  return createHash('sha256').update(`@snek/store-postgres bulk load ${schema}`).digest().readBigInt64BE(0).toString();
}

/**
 * At open, inside the migration's transaction: builds the deferred indexes a load left missing (its process died
 * before the end), unless a load is running now, which builds them itself when it ends.
 */
export async function repairDeferredIndexes(client: pg.ClientBase, schemaName: string, schema: string, ops: string | undefined): Promise<void> {
  const { rows } = await client.query<{ free: boolean }>('SELECT pg_try_advisory_xact_lock_shared($1::bigint) AS free', [loadLockKey(schemaName)]);
  if (!rows[0]!.free) return;
  // Looked up first: CREATE INDEX IF NOT EXISTS would take its lock, and wait for writers, even for an index there.
  const there = new Set((await client.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1 AND tablename IN ('sneks', 'changes')`, [schemaName])).rows.map((row) => row.name));
  const missing = deferredIndexes(schema, ops).filter((index) => !there.has(index.name));
  if (missing.length > 0) await client.query(`SET LOCAL maintenance_work_mem = '${BUILD_MEMORY}'`);
  for (const { create } of missing) await client.query(create);
}

/** A first write of at least this many rows makes the load drop the deferred indexes (a small load keeps them). */
export const DEFER_FROM = 500;
/** How long the drop may wait for other servers' reads of `sneks` to finish. */
const DROP_WAIT = '2s';
/** Per index build: GIN accumulates its entries in maintenance_work_mem and writes them out when it is full. */
const BUILD_MEMORY = '512MB';

/**
 * One bulk load: a connection of its own that holds the load lock, and, from the first write on, one transaction
 * (other servers read the store as before it until it commits). Calls run one at a time, each in a savepoint, so a
 * call that fails undoes only itself, as outside a load.
 */
export class BulkLoad {
  private began = false;
  /** The indexes this load dropped, to build at its end. */
  private dropped: DeferredIndex[] = [];
  /** The store and its log were empty at the start of a big load (its counter held since): see `copies`. */
  private fresh = false;
  private spoiled = false;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly client: pg.Client,
    private readonly connection: pg.ClientConfig,
    private readonly indexes: DeferredIndex[],
    private readonly analyze: { sneks: string; changes: string },
    private readonly freshness: { claim: string; check: string },
  ) {}

  /**
   * Whether a write of new sneks may go by COPY: the load began on an empty store and log, and has made no call
   * but putMany and createMany since (so an id it has not written has no row and no change; one it has written
   * is in the table, and the copy of it meets the primary key).
   */
  get copies(): boolean {
    return this.fresh && !this.spoiled;
  }

  /** A call other than a bulk write of sneks (a delete, a replay…): from now on every write goes the usual way. */
  spoil(): void {
    this.spoiled = true;
  }

  /** Connects and waits for any other server's load on this schema to end. */
  static async open(connection: pg.ClientConfig, schemaName: string, indexes: DeferredIndex[], analyze: { sneks: string; changes: string }, freshness: { claim: string; check: string }): Promise<BulkLoad> {
    const client = new pg.Client(connection);
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT pg_advisory_lock($1::bigint)', [loadLockKey(schemaName)]);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return new BulkLoad(client, connection, indexes, analyze, freshness);
  }

  /** `rows`: how many rows the call writes (0 for a read); the first write decides whether the indexes wait. */
  run<T>(rows: number, work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    const done = this.tail.then(async () => {
      if (rows > 0 && !this.began) await this.begin(rows);
      if (!this.began) return work(this.client);
      await this.client.query('SAVEPOINT snek_call');
      try {
        const result = await work(this.client);
        await this.client.query('RELEASE SAVEPOINT snek_call');
        return result;
      } catch (error) {
        // If even this fails, the transaction stays aborted and the load fails at its next call: the first error is the one to report.
        await this.client.query('ROLLBACK TO SAVEPOINT snek_call; RELEASE SAVEPOINT snek_call').catch(() => undefined);
        throw error;
      }
    });
    this.tail = done.catch(() => undefined);
    return done;
  }

  /** The drop commits on its own, before the transaction: dropped within it, the index would lock out readers until the end. */
  private async begin(rows: number): Promise<void> {
    if (rows >= DEFER_FROM) {
      const fresh = await this.isFresh();
      const dropping = this.indexes.filter((index) => fresh || index.table === 'sneks');
      // The drop waits for reads in flight, and new reads queue behind it: briefly, else the load keeps the indexes.
      await this.client.query(`SET lock_timeout = '${DROP_WAIT}'`);
      try {
        await this.client.query(`DROP INDEX IF EXISTS ${dropping.map((index) => index.qualified).join(', ')}`);
        this.dropped = dropping;
      } catch {
        // Dropped all or none (one statement); the load goes on with the indexes.
      }
      await this.client.query('RESET lock_timeout');
    }
    await this.client.query('BEGIN');
    this.began = true;
    if (rows >= DEFER_FROM) {
      // Its first write would take the counter anyway; taken first, what the check finds holds until the commit.
      await this.client.query(this.freshness.claim);
      this.fresh = await this.isFresh();
      // A write committed between the check before the drop and the claim: this load's writes go the usual way, and
      // retention reads (id, seq), so the log's indexes are built now, in the transaction (writers wait for it anyway).
      const needed = this.fresh ? [] : this.dropped.filter((index) => index.table === 'changes');
      if (needed.length > 0) await this.client.query(`SET LOCAL maintenance_work_mem = '${BUILD_MEMORY}'`);
      for (const index of needed) await this.client.query(index.create);
      this.dropped = this.dropped.filter((index) => !needed.includes(index));
    }
  }

  private async isFresh(): Promise<boolean> {
    return (await this.client.query<{ fresh: boolean }>(this.freshness.check)).rows[0]!.fresh;
  }

  /**
   * Commits (or, `ok` false, rolls back), then builds the indexes it dropped, two connections at a time (each build
   * takes a SHARE lock: readers go on, writers wait), and analyzes the tables, then lets go of the lock. Rejects if
   * the commit failed.
   */
  async finish(ok: boolean): Promise<void> {
    await this.tail;
    let failure: unknown;
    try {
      if (this.began) await this.client.query(ok ? 'COMMIT' : 'ROLLBACK');
    } catch (error) {
      failure = error;
      await this.client.query('ROLLBACK').catch(() => undefined);
    }
    try {
      if (this.dropped.length > 0) await this.buildIndexes();
    } catch (error) {
      failure ??= error;
    } finally {
      await this.client.end().catch(() => undefined);
    }
    if (failure !== undefined) throw failure;
  }

  private async buildIndexes(): Promise<void> {
    // ANALYZE of a table waits for the builds on it (their locks conflict). That of changes goes before the last,
    // shortest build (of sneks), where one builder would otherwise idle; that of sneks goes last.
    const builds = this.dropped.map((index) => index.create);
    const queue = [...builds.slice(0, -1), this.analyze.changes, ...builds.slice(-1), this.analyze.sneks];
    const second = new pg.Client(this.connection);
    second.on('error', () => undefined);
    const builder = async (client: pg.Client) => {
      // No parallel workers: the two builders already keep two cores busy, and a worker's share of a btree build
      // came back as more CPU in all (at 1M: (type, id) 2.5 s with them).
      await client.query(`SET maintenance_work_mem = '${BUILD_MEMORY}'; SET statement_timeout = 0; SET max_parallel_maintenance_workers = 0`);
      for (let next = queue.shift(); next; next = queue.shift()) await client.query(next);
    };
    try {
      // Without a second connection, the first builds them all.
      const extra = second.connect().then(() => builder(second), () => undefined);
      await Promise.all([builder(this.client), extra]);
    } finally {
      await second.end().catch(() => undefined);
    }
  }
}
