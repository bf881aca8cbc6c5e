import type { OpenOptions, SqliteConnection, SqliteParams, SqliteStatement } from './driver.js';

// The part of node:sqlite the store uses; @types/node 20 (our oldest Node) does not declare the module.
interface NodeSqliteModule {
  DatabaseSync: new (file: string, options?: { readOnly?: boolean }) => {
    prepare(sql: string): SqliteStatement;
    exec(sql: string): void;
    close(): void;
  };
}

/** node:sqlite when this Node has it without a flag (22.13+), else undefined. */
export function nodeSqlite(): NodeSqliteModule | undefined {
  return process.getBuiltinModule('node:sqlite') as NodeSqliteModule | undefined;
}

// SQLite's primary result codes, by number (sqlite.org/rescode.html).
const RESULT_CODES = ['OK', 'ERROR', 'INTERNAL', 'PERM', 'ABORT', 'BUSY', 'LOCKED', 'NOMEM', 'READONLY', 'INTERRUPT', 'IOERR', 'CORRUPT', 'NOTFOUND', 'FULL', 'CANTOPEN', 'PROTOCOL', 'EMPTY', 'SCHEMA', 'TOOBIG', 'CONSTRAINT', 'MISMATCH', 'MISUSE', 'NOLFS', 'AUTH', 'FORMAT', 'RANGE', 'NOTADB'];

/**
 * node:sqlite says `code: 'ERR_SQLITE_ERROR'` for every failure and keeps SQLite's number in `errcode`; better-sqlite3
 * says `code: 'SQLITE_FULL'` and so on. The store's callers read `code` (a full disk is 507, not 503), so both
 * drivers give SQLite's name there.
 */
function withSqliteCode(error: unknown): unknown {
  const failure = error as { code?: unknown; errcode?: unknown };
  if (failure?.code === 'ERR_SQLITE_ERROR' && typeof failure.errcode === 'number') {
    const name = RESULT_CODES[failure.errcode & 0xff];
    if (name) failure.code = `SQLITE_${name}`;
  }
  return error;
}

function named<A extends unknown[], R>(call: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return call(...args);
    } catch (error) {
      throw withSqliteCode(error);
    }
  };
}

export function openNodeSqlite(file: string, options: OpenOptions): SqliteConnection {
  const db = new (nodeSqlite()!.DatabaseSync)(file, { readOnly: options.readonly ?? false });
  return {
    driver: 'node:sqlite',
    prepare: named((sql: string): SqliteStatement => {
      const statement = db.prepare(sql);
      return {
        run: named((...params: SqliteParams) => statement.run(...params)),
        get: named((...params: SqliteParams) => statement.get(...params)),
        all: named((...params: SqliteParams) => statement.all(...params)),
      };
    }),
    exec: named((sql: string) => db.exec(sql)),
    close: () => db.close(),
  };
}
