import { statSync } from 'node:fs';
import { SnekError } from '@snek/core';

interface Identity {
  dev: number;
  ino: number;
}

function identityOf(file: string): Identity | undefined {
  try {
    const { dev, ino } = statSync(file);
    return { dev, ino };
  } catch {
    // Gone, or no longer ours to see: either way not the file we opened.
    return undefined;
  }
}

const same = (a: Identity, b: Identity) => a.dev === b.dev && a.ino === b.ino;

const COMPANIONS = ['-wal', '-shm'] as const;

/**
 * Whether the database file (and its WAL) at the store's path is still the one the store opened. SQLite keeps
 * reading and writing an open file after it is removed or renamed over, so without this check the server would
 * answer from, and acknowledge writes into, a file that a restart no longer finds.
 */
export class DatabaseFileIdentity {
  private readonly main: Identity;
  // Recorded when first seen: SQLite creates the WAL and its index when the file is first used in WAL mode. A
  // removed -shm matters too: a server that starts then makes a new one, and two servers stop sharing one WAL index.
  private readonly companions = new Map<string, Identity | undefined>();
  private checkedThisTurn = false;

  constructor(readonly file: string) {
    const main = identityOf(file);
    if (!main) throw this.unavailable(`${file} is gone`);
    this.main = main;
    for (const suffix of COMPANIONS) this.companions.set(`${file}${suffix}`, identityOf(`${file}${suffix}`));
  }

  /** For reads: one stat per event-loop turn, however many reads the turn holds. */
  assertOncePerTurn(): void {
    if (this.checkedThisTurn) return;
    this.assertUnchanged();
    this.checkedThisTurn = true;
    setImmediate(() => (this.checkedThisTurn = false));
  }

  /** The store itself removed the WAL and its index (load-journal.ts): record them again when next seen. */
  companionsRenewed(): void {
    for (const companion of this.companions.keys()) this.companions.set(companion, undefined);
  }

  /** Throws STORE_UNAVAILABLE when the path now names another file, or none. */
  assertUnchanged(): void {
    const main = identityOf(this.file);
    if (!main) throw this.unavailable(`${this.file} was removed`);
    if (!same(main, this.main)) throw this.unavailable(`${this.file} was replaced by another file`);
    for (const [companion, seen] of this.companions) {
      const now = identityOf(companion);
      if (!seen) this.companions.set(companion, now);
      else if (!now) throw this.unavailable(`${companion} was removed`);
      else if (!same(now, seen)) throw this.unavailable(`${companion} was replaced by another file`);
    }
  }

  private unavailable(what: string): SnekError {
    return new SnekError('STORE_UNAVAILABLE', `The sqlite store's database ${what} while the server ran, so it refuses reads and writes. Restore the file from a backup, or restart the server to open whatever is at ${this.file} now (a new, empty store if nothing is).`, {
      details: { file: this.file },
    });
  }
}
