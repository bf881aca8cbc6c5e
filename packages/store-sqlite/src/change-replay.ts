import { changesToReplay, checkReplayBatch, seqsAtOrBelow, type Change, type LoggedAt } from '@snek/core';
import type { SqliteConnection, SqliteStatement } from './driver.js';
import type { SqliteChangeLog } from './change-log.js';
import type { SnekUpserts } from './snek-upserts.js';

/**
 * replayChanges for the sqlite store, run by the caller inside one write transaction (BEGIN IMMEDIATE), so the check
 * against the log's newest seq and the writes see no other writer. Each change goes into `changes` with its own seq:
 * SQLite's AUTOINCREMENT keeps sqlite_sequence at the largest rowid ever inserted, explicit ones too, so later writes
 * take seqs above the replayed ones.
 */
export class SqliteChangeReplay {
  private readonly statements: { logged: SqliteStatement; exists: SqliteStatement; delete: SqliteStatement };
  constructor(
    db: SqliteConnection,
    private readonly log: SqliteChangeLog,
    private readonly upserts: SnekUpserts,
  ) {
    this.statements = {
      logged: db.prepare('SELECT seq, id, op, at FROM changes WHERE seq IN (SELECT value FROM json_each(?))'),
      exists: db.prepare('SELECT 1 FROM sneks WHERE id = ?'),
      delete: db.prepare('DELETE FROM sneks WHERE id = ?'),
    };
  }

  /** Call inside a write transaction: a throw rolls the whole batch back. */
  apply(changes: readonly Change[]): void {
    checkReplayBatch(changes, 'sqlite');
    const newest = this.log.newestSeq();
    const seqs = seqsAtOrBelow(changes, newest);
    const logged = seqs.length === 0 ? [] : this.statements.logged.all(JSON.stringify(seqs)).map((row): LoggedAt => ({ seq: Number(row['seq']), id: row['id'] as string, op: row['op'] as Change['op'], at: row['at'] as string }));
    this.upserts.around(() => {
      for (const change of changesToReplay(changes, newest, logged, 'sqlite')) {
        if (change.op === 'put') {
          this.upserts.write({ ...change.snek!, id: change.id }, change.seq, this.statements.exists.get(change.id) === undefined);
        } else {
          this.statements.delete.run(change.id);
          this.upserts.deleted(change.id);
        }
        this.log.replay(change);
      }
    });
  }
}
