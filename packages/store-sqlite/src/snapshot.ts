import type { SnapshotSource } from '@snek/core';
import { changesSql, toChange } from './change-log.js';
import { openConnection, type SqliteDriverName } from './driver.js';
import { listSql, toSnek } from './statements.js';

/**
 * One read transaction on a connection of its own: in WAL mode the store's writes go on beside it and do not show in
 * it. Its first read fixes the moment, so BEGIN is followed at once by the read of the newest seq. While it is open
 * a checkpoint cannot pass it, so the WAL grows with the writes made meanwhile: close it when done.
 */
export async function openSnapshot(file: string, driver: SqliteDriverName): Promise<SnapshotSource> {
  const db = await openConnection(file, driver);
  try {
    db.exec('PRAGMA busy_timeout = 5000; PRAGMA query_only = ON; BEGIN');
    const seq = Number(db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM changes').get()!['seq']);
    const sneks = db.prepare(listSql(''));
    const changes = db.prepare(changesSql(false, 'asc'));
    return {
      seq,
      sneksAfter: (after, limit) => sneks.all({ after, limit }).map(toSnek),
      changesAfter: (after, limit) => changes.all({ after, before: seq + 1, limit }).map(toChange),
      release: () => {
        try {
          db.exec('COMMIT');
        } finally {
          db.close();
        }
      },
      label: `A snapshot of the sqlite store on ${file}`,
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
