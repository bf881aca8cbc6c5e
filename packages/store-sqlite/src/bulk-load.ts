import type { SqliteConnection, SqliteStatement } from './driver.js';
import { COUNT_TYPES_SQL, FTS_TEXT } from './search-schema.js';
import { ART_TRIGGERS, type SqliteChangeLog } from './change-log.js';
import { LoadRows, type NewSnekWrite } from './load-rows.js';
import type { SnekUpserts } from './snek-upserts.js';

// A load defers the indexes once it has written this many rows and a third as many as the file held. At 1M sneks,
// keeping the indexes and the trigram index row by row costs about 40 µs a row (49 s an import, 7.7 s without them),
// and building them once about 10 µs a row of the whole file: past a third, building is the cheaper.
const DEFER_AT_ROWS = 1000;
const DEFER_AT_SHARE = 3;
// FTS5 writes a segment each time its pending rows pass `hashsize` (1 MiB unless set) and merges segments as they
// pile up. Building the trigram index of a million rows with 16 MiB took 1.8 s instead of 3.0 s (64 and 256 MiB did
// no better); the load sets it back when the index is built.
const BUILD_FTS_HASHSIZE = 16 * 1024 * 1024;
const FTS_DEFAULT_HASHSIZE = 1024 * 1024;
// The index builds sort with helper threads: SQLite sorts each run (cache_size, here 4 MiB) in a thread of its own,
// and merges the runs in temporary files (temp_store = FILE: its in-memory temp files were slower still than one
// thread). At 1M sneks, 2.5 s for the seven builds instead of 3.3 s; more threads or larger runs did no better.
const SORT_PRAGMAS = { threads: 2, cache_size: -4096, temp_store: 1 } as const;

/** What a load dropped, to build again at its end: the secondary indexes and triggers of `sneks` and `changes`. */
interface Deferred {
  /** The largest rid when the load deferred: the trigram index holds exactly the rows up to it. */
  largestRid: number;
  /** The largest seq then: ids with a change after it are pruned at the end. */
  newestSeq: number;
  /** Whether the change log was empty then. */
  logWasEmpty: boolean;
  /** Sneks written since by LoadRows: each the one change of an id new to the file. */
  newRows: number;
  dropped: Array<{ type: 'index' | 'trigger'; name: string; sql: string }>;
}

/**
 * A bulk load (StoreBulkLoad) on the store's connection, inside the one write transaction the store opens for it.
 * Past DEFER_AT_ROWS rows it drops the secondary indexes of `sneks` and `changes` and the triggers of `sneks`
 * (type counts, trigram index upkeep; not ART_TRIGGERS), and stops writing the trigram index and pruning the change
 * log; at its end it creates them again from their own SQL, so the schema is the same, with sorted builds, brings the
 * trigram index up to date, counts the types afresh and prunes the ids it wrote once. Every step is in the
 * transaction: a load that fails or is killed leaves the file as it was.
 */
export class SqliteBulkLoad {
  private load: { before: number; written: number; deferred?: Deferred } | undefined;
  private readonly rows: LoadRows;
  private readonly statements: Record<'rows' | 'largestRid' | 'schema' | 'stale' | 'unindex' | 'indexAfter' | 'indexIds' | 'hashsize', SqliteStatement>;

  constructor(
    private readonly db: SqliteConnection,
    private readonly upserts: SnekUpserts,
    private readonly log: SqliteChangeLog,
  ) {
    this.rows = new LoadRows(db);
    this.statements = {
      rows: db.prepare('SELECT coalesce(sum(count), 0) AS n FROM type_counts'),
      largestRid: db.prepare('SELECT coalesce(max(rid), 0) AS rid FROM sneks'),
      schema: db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('sneks', 'changes') AND type IN ('index', 'trigger') AND sql IS NOT NULL
        AND name NOT IN (${ART_TRIGGERS.map((name) => `'${name}'`).join(', ')}) ORDER BY rowid`),
      // Rows of the trigram index whose snek is gone or renamed since.
      stale: db.prepare(`SELECT rowid AS rid FROM sneks_fts f WHERE text IS NOT (SELECT ${FTS_TEXT} FROM sneks WHERE rid = f.rowid)`),
      unindex: db.prepare('DELETE FROM sneks_fts WHERE rowid = ?'),
      indexAfter: db.prepare(`INSERT INTO sneks_fts (rowid, text) SELECT rid, ${FTS_TEXT} FROM sneks WHERE rid > ?`),
      indexIds: db.prepare(`INSERT INTO sneks_fts (rowid, text) SELECT rid, ${FTS_TEXT} FROM sneks WHERE rid IN (SELECT value FROM json_each(?))`),
      hashsize: db.prepare("SELECT v FROM sneks_fts_config WHERE k = 'hashsize'"),
    };
  }

  get active(): boolean {
    return this.load !== undefined;
  }

  /** Right after the load's BEGIN IMMEDIATE. */
  begin(): void {
    this.load = { before: Number(this.statements.rows.get()!['n']), written: 0 };
  }

  /**
   * Before `rows` sneks are written in the load, outside the savepoint of their write, so that a write which fails
   * does not bring back what this dropped.
   */
  writing(rows: number): void {
    const load = this.load;
    if (!load) return;
    load.written += rows;
    if (load.deferred || load.written < Math.max(DEFER_AT_ROWS, load.before / DEFER_AT_SHARE)) return;
    const largestRid = Number(this.statements.largestRid.get()!['rid']);
    const dropped = this.statements.schema.all().map((row) => ({ type: row['type'] as 'index' | 'trigger', name: row['name'] as string, sql: row['sql'] as string }));
    this.db.exec('SAVEPOINT defer');
    try {
      for (const { type, name } of dropped) this.db.exec(`DROP ${type.toUpperCase()} "${name.replaceAll('"', '""')}"`);
      this.db.exec('RELEASE defer');
    } catch (error) {
      this.db.exec('ROLLBACK TO defer; RELEASE defer');
      throw error;
    }
    this.upserts.deferIndex(largestRid);
    this.log.deferPruning();
    load.deferred = { largestRid, newestSeq: this.log.newestSeq(), logWasEmpty: this.log.empty(), newRows: 0, dropped };
  }

  /**
   * Once the load has deferred: writes `writes`, all of them made at `at`, by LoadRows, and says so, if every one is
   * of a new snek and none is conditional on more than its absence (`expected` undefined or null): each write then
   * creates its snek, as it would row by row. Otherwise writes nothing.
   */
  writeNew(writes: ReadonlyArray<NewSnekWrite & { expected?: unknown }>, at: string): boolean {
    if (!this.load?.deferred || !writes.every((write) => write.expected === undefined || write.expected === null)) return false;
    if (!this.rows.write(writes, at, this.log.newestSeq() + 1, this.upserts.takeRids(writes.length))) return false;
    this.load.deferred.newRows += writes.length;
    return true;
  }

  /** Just before the load's COMMIT: builds what the load deferred. */
  finish(): void {
    const deferred = this.load?.deferred;
    if (!deferred) return;
    this.withPragmas(SORT_PRAGMAS, () => {
      for (const { type, sql } of deferred.dropped) if (type === 'index') this.db.exec(sql);
    });
    this.indexNames(deferred.largestRid);
    this.db.exec(`DELETE FROM type_counts; ${COUNT_TYPES_SQL}`);
    for (const { type, sql } of deferred.dropped) if (type === 'trigger') this.db.exec(sql);
    // Into an empty log, a load whose every change since the defer came from LoadRows (no other write took a seq, and
    // a replay's seq would leave a gap) gave each id one change.
    this.log.pruneAfter(deferred.newestSeq, deferred.logWasEmpty && this.log.newestSeq() - deferred.newestSeq === deferred.newRows);
  }

  /** After the load's COMMIT or ROLLBACK. */
  end(): void {
    this.load = undefined;
    this.upserts.keepIndex();
    this.log.keepPruning();
  }

  /** The trigram index of every row: rows past `largestRid` are new to it, and older ones may have changed. */
  private indexNames(largestRid: number): void {
    const { stale, unindex, indexAfter, indexIds, hashsize } = this.statements;
    const hashsizeBefore = Math.trunc(Number(hashsize.get()?.['v'] ?? FTS_DEFAULT_HASHSIZE));
    this.setFtsHashsize(BUILD_FTS_HASHSIZE);
    const changed = largestRid === 0 ? [] : stale.all().map((row) => Number(row['rid']));
    for (const rid of changed) unindex.run(rid);
    indexAfter.run(largestRid);
    if (changed.length > 0) indexIds.run(JSON.stringify(changed));
    // Not in a finally: after a failure the load rolls back, and that takes this setting back too.
    this.setFtsHashsize(hashsizeBefore);
  }

  /**
   * Runs `work` with the connection's `pragmas` set, and sets back those it set (on a throw too). A setting SQLite
   * refuses (temp_store, while a temp table is open) only makes the builds slower, so it is left as it is.
   */
  private withPragmas(pragmas: Readonly<Record<string, number>>, work: () => void): void {
    const changed: Array<[string, number]> = [];
    for (const [name, value] of Object.entries(pragmas)) {
      try {
        const before = Math.trunc(Number(Object.values(this.db.prepare(`PRAGMA ${name}`).get()!)[0]));
        this.db.exec(`PRAGMA ${name} = ${value}`);
        changed.push([name, before]);
      } catch {
        // Refused: the builds run without it.
      }
    }
    try {
      work();
    } finally {
      for (const [name, before] of changed.reverse()) this.db.exec(`PRAGMA ${name} = ${before}`);
    }
  }

  /** In the SQL, not bound: FTS5 takes an integer only, and a driver may bind a JS number as a REAL. */
  private setFtsHashsize(bytes: number): void {
    this.db.exec(`INSERT INTO sneks_fts (sneks_fts, rank) VALUES ('hashsize', ${bytes})`);
  }
}
