import type { Actor, Snek } from '@snek/core';
import type { SqliteConnection, SqliteStatement } from './driver.js';
import { snekRow } from './snek-row.js';

/** Rows per INSERT: 8 parameters each, far below SQLite's limit of 32,766. */
const ROWS = 64;

export interface NewSnekWrite {
  snek: Snek;
  actor?: Actor | undefined;
}

/**
 * Writes of new sneks for a bulk load that has deferred the indexes (bulk-load.ts): the changes, then the sneks, in
 * INSERTs of ROWS rows, with seqs and rids counted up by the caller, which holds the write lock for the whole load.
 * Row by row, each snek took three statements (is it there, its change, its upsert), each with its own call, binding
 * and step: at 300k sneks, 1.7 s row by row, 1.4 s so. Each change leaves its art to its snek (content NULL: see
 * change-log.ts), which held it twice before: at 1M sneks, 0.9 s and 270 MB of the file.
 */
export class LoadRows {
  private readonly inserts = new Map<number, { changes: SqliteStatement; sneks: SqliteStatement }>();
  private readonly savepoint: Record<'begin' | 'release' | 'rollBack', SqliteStatement>;

  constructor(private readonly db: SqliteConnection) {
    this.savepoint = { begin: db.prepare('SAVEPOINT load_rows'), release: db.prepare('RELEASE load_rows'), rollBack: db.prepare('ROLLBACK TO load_rows') };
  }

  /**
   * Writes `writes` in order, the n-th with seq `firstSeq` + n and rid `firstRid` + n, each change at `at`, if every
   * one is of a new snek; otherwise writes nothing and says so. The sneks' primary key finds an id that is there or
   * comes twice: asking first, by a lookup of every id, cost 0.3 s of a 1M import that never has one.
   */
  write(writes: readonly NewSnekWrite[], at: string, firstSeq: number, firstRid: number): boolean {
    const { begin, release, rollBack } = this.savepoint;
    begin.run();
    try {
      this.insert(writes, at, firstSeq, firstRid);
    } catch (error) {
      if (!String((error as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT')) throw error;
      rollBack.run();
      release.run();
      return false;
    }
    release.run();
    return true;
  }

  private insert(writes: readonly NewSnekWrite[], at: string, firstSeq: number, firstRid: number): void {
    for (let start = 0; start < writes.length; start += ROWS) {
      const part = writes.slice(start, start + ROWS);
      const changes: Array<string | number | null> = [];
      const sneks: Array<string | number | null> = [];
      part.forEach(({ snek, actor }, i) => {
        const seq = firstSeq + start + i;
        changes.push(seq, snek.id, snek.name, snek.type, actor ? JSON.stringify(actor) : null, at);
        sneks.push(...snekRow(snek, seq), firstRid + start + i);
      });
      const insert = this.insertsOf(part.length);
      insert.changes.run(...changes);
      insert.sneks.run(...sneks);
    }
  }

  private insertsOf(rows: number) {
    let insert = this.inserts.get(rows);
    if (!insert) {
      const values = (one: string) => Array.from({ length: rows }, () => one).join(', ');
      insert = {
        changes: this.db.prepare(`INSERT INTO changes (seq, id, op, name, type, content, actor, at) VALUES ${values("(?, ?, 'put', ?, ?, NULL, ?, ?)")}`),
        sneks: this.db.prepare(`INSERT INTO sneks (id, name, type, content, folded, name_key, updated_seq, rid) VALUES ${values('(?, ?, ?, ?, ?, ?, ?, ?)')}`),
      };
      this.inserts.set(rows, insert);
    }
    return insert;
  }
}
