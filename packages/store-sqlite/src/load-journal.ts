import { SnekError } from '@snek/core';
import type { SqliteConnection } from './driver.js';
import type { DatabaseFileIdentity } from './file-identity.js';

// How long a switch to WAL mode is tried while another connection holds the file: the busy timeout of the store.
const BACK_TO_WAL_MS = 5000;
const RETRY_MS = 10;

const busy = (error: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown }).code));

/**
 * The journal of a bulk load. In WAL mode each page a load writes goes into the WAL and is copied into the file by
 * the checkpoint after its commit: 1M sneks wrote 1 GB twice, and that commit took 3.9 s. When the store's
 * connection is the only one on the file, the load runs with a rollback journal (journal_mode DELETE): new pages are
 * written once, into the file, and only pages the file already had are journaled. It is as atomic, through kill -9
 * too: the next connection to open the file rolls a hot journal back. SQLite refuses to leave WAL mode while another
 * connection has the file open, and then the load keeps the WAL.
 */
export class LoadJournal {
  private rollback = false;

  constructor(
    private readonly db: SqliteConnection,
    private readonly identity: DatabaseFileIdentity,
  ) {}

  /** Before the load's BEGIN. */
  enter(): void {
    try {
      this.rollback = journalMode(this.db, 'DELETE') === 'delete';
    } catch (error) {
      if (!busy(error)) throw error;
    }
    // Leaving WAL mode removes the -wal and -shm files: that is no sign of the file being replaced.
    if (this.rollback) this.identity.companionsRenewed();
  }

  /**
   * After the load's COMMIT or ROLLBACK: back to WAL. A server that opened the file meanwhile may hold it for a
   * moment (it switches to WAL itself); past BACK_TO_WAL_MS this connection stays in rollback mode, which is as
   * safe, and the next open switches the file back.
   */
  leave(): void {
    if (!this.rollback) return;
    this.rollback = false;
    try {
      toWal(this.db);
    } catch {
      // The load is committed or rolled back already: a failure other than a lock shows in the next read or write.
    }
    this.identity.companionsRenewed();
  }
}

/**
 * At open: WAL mode. SQLite answers SQLITE_BUSY at once, busy timeout or not, while a bulk load of another process
 * holds the file with a rollback journal; this waits as long as the busy timeout, then says so.
 */
export function openInWal(db: SqliteConnection, file: string): void {
  const refused = toWal(db);
  if (refused !== undefined) {
    throw new SnekError('STORE_UNAVAILABLE', `${file} is held by a bulk load (snek-server import) in another process, which has it alone until it commits. Start again once the import is done.`, { cause: refused });
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Switches to WAL mode, retrying while the file is locked; gives the lock error if it still is after BACK_TO_WAL_MS. */
function toWal(db: SqliteConnection): unknown {
  const until = Date.now() + BACK_TO_WAL_MS;
  for (;;) {
    try {
      journalMode(db, 'WAL');
      return undefined;
    } catch (error) {
      if (!busy(error)) throw error;
      if (Date.now() > until) return error;
    }
    Atomics.wait(pause, 0, 0, RETRY_MS);
  }
}

function journalMode(db: SqliteConnection, mode: 'DELETE' | 'WAL'): string {
  return String(db.prepare(`PRAGMA journal_mode = ${mode}`).get()?.['journal_mode']).toLowerCase();
}
