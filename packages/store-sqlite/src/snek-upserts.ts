import type { Snek } from '@snek/core';
import type { SqliteConnection, SqliteStatement } from './driver.js';
import { UPSERT_SQL, UPSERT_WITH_RID_SQL, snekRow } from './snek-row.js';

/**
 * Upserts of sneks within one write transaction, with the trigram index (sneks_fts) of the rows they create written
 * last, just before the commit. FTS5 writes its pending rows out at every statement savepoint, and each upsert opens
 * one (its triggers keep type_counts): indexing a row inline cost a segment per row, 30 µs instead of 8 µs at 100k
 * sneks. Renames and deletes are indexed by the triggers of migration 5; this covers the rows created. A bulk load
 * that defers the indexes (bulk-load.ts) turns this off and builds the trigram index itself at its end.
 */
export class SnekUpserts {
  private readonly upsert: SqliteStatement;
  private readonly upsertWithRid: SqliteStatement;
  private readonly index: SqliteStatement;
  // While a bulk load defers the indexes: the rid the next row created takes.
  private nextRid: number | undefined;
  // By id, the latest text of each row created in this transaction; a delete in the same transaction drops it.
  private readonly created = new Map<string, { rid: number; text: string }>();

  constructor(db: SqliteConnection) {
    this.upsert = db.prepare(`${UPSERT_SQL} RETURNING rid`);
    this.upsertWithRid = db.prepare(UPSERT_WITH_RID_SQL);
    this.index = db.prepare('INSERT INTO sneks_fts (rowid, text) VALUES (?, ?)');
  }

  /** Writes `snek` with the seq of its newest change; `created` says the row was absent before. */
  write(snek: Snek, seq: number, created: boolean): void {
    const row = snekRow(snek, seq);
    if (this.nextRid !== undefined) {
      // An existing row keeps its rid: the upsert's update sets no rid.
      this.upsertWithRid.run(...row, created ? this.nextRid++ : 0);
      return;
    }
    const rid = Number(this.upsert.get(...row)!['rid']);
    if (created || this.created.has(snek.id)) this.created.set(snek.id, { rid, text: `${row[4]} ${snek.id}` });
  }

  /** Rows written from now on are not put in the trigram index, and new ones take rids from `largest` + 1 up. */
  deferIndex(largest: number): void {
    this.nextRid = largest + 1;
  }

  /** While the index is deferred: the first of `count` rids for new rows written elsewhere (load-rows.ts). */
  takeRids(count: number): number {
    if (this.nextRid === undefined) throw new Error('rids are counted here only while a bulk load defers the index');
    const first = this.nextRid;
    this.nextRid += count;
    return first;
  }

  keepIndex(): void {
    this.nextRid = undefined;
  }

  deleted(id: string): void {
    this.created.delete(id);
  }

  /** Runs `write` (the transaction's work) and then indexes the rows it created; a throw indexes nothing. */
  around<T>(work: () => T): T {
    try {
      const result = work();
      for (const { rid, text } of this.created.values()) this.index.run(rid, text);
      return result;
    } finally {
      this.created.clear();
    }
  }
}
