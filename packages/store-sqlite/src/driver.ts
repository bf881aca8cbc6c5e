import { SnekError } from '@snek/core';
import { nodeSqlite, openNodeSqlite } from './driver-node-sqlite.js';

/** The SQLite library under the store: Node's own `node:sqlite` (Node 22.13+), or better-sqlite3 where that is missing. */
export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';
/** `auto` picks node:sqlite when this Node has it, better-sqlite3 otherwise. */
export type SqliteDriverChoice = 'auto' | SqliteDriverName;
export const SQLITE_DRIVER_CHOICES = ['auto', 'node:sqlite', 'better-sqlite3'] as const;

/** Named parameters without their `@` prefix, or positional ones. Never `undefined`: node:sqlite cannot bind it. */
export type SqliteParams = [] | [Record<string, string | number | null>] | Array<string | number | null>;
export type SqliteRow = Record<string, unknown>;

/** A prepared statement; both drivers already have these three with these meanings. */
export interface SqliteStatement {
  run(...params: SqliteParams): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqliteParams): SqliteRow | undefined;
  all(...params: SqliteParams): SqliteRow[];
}

/** One open database file: all the store needs from a driver, so the store has one code path. */
export interface SqliteConnection {
  readonly driver: SqliteDriverName;
  prepare(sql: string): SqliteStatement;
  /** Runs one or more statements that return nothing. */
  exec(sql: string): void;
  close(): void;
}

export interface OpenOptions {
  readonly?: boolean;
}

/** Opens `file` with the chosen driver; better-sqlite3 is imported only when it is the one used. */
export async function openConnection(file: string, choice: SqliteDriverChoice = 'auto', options: OpenOptions = {}): Promise<SqliteConnection> {
  if (choice === 'node:sqlite' || (choice === 'auto' && nodeSqlite())) {
    if (!nodeSqlite()) {
      throw new SnekError('STORE_DEPENDENCY_MISSING', `The sqlite store's driver "node:sqlite" needs Node.js 22.13 or later; this is Node.js ${process.versions.node}. Upgrade Node.js, or set server.store.options.driver to "auto" to use better-sqlite3.`);
    }
    return openNodeSqlite(file, options);
  }
  const { openBetterSqlite3 } = await import('./driver-better-sqlite3.js');
  return openBetterSqlite3(file, options);
}
