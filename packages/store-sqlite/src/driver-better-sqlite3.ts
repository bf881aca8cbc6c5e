import { SnekError } from '@snek/core';
import type { OpenOptions, SqliteConnection, SqliteStatement } from './driver.js';

// The part of better-sqlite3 the store uses. It is an optional dependency, needed only on Node 20, so none of
// its types may show in ours.
type BetterSqlite3 = new (file: string, options?: { readonly?: boolean }) => {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  close(): void;
};

// A native module that failed to load fails differently the second time ("did not self-register"): keep the first.
let unusable: SnekError | undefined;

export async function openBetterSqlite3(file: string, options: OpenOptions): Promise<SqliteConnection> {
  if (unusable) throw unusable;
  let db: InstanceType<BetterSqlite3>;
  try {
    const Database = ((await import('better-sqlite3')) as unknown as { default: BetterSqlite3 }).default;
    // Its native part loads here, at the first connection, not at import.
    db = new Database(file, { readonly: options.readonly ?? false });
  } catch (error) {
    unusable = notUsable(error);
    throw unusable ?? error;
  }
  return {
    driver: 'better-sqlite3',
    prepare: (sql) => db.prepare(sql),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
  };
}

/** A SnekError saying what to install when better-sqlite3 is missing or built for another Node; else undefined. */
function notUsable(error: unknown): SnekError | undefined {
  const full = String((error as Error).message);
  const message = full.split('\n')[0]!;
  const code = (error as { code?: string }).code;
  let next: string;
  if (code === 'ERR_MODULE_NOT_FOUND') {
    next = 'Use Node.js 22.13 or later, which has node:sqlite built in, or install better-sqlite3 and allow its build (allow-scripts=better-sqlite3 in .npmrc; pnpm: onlyBuiltDependencies).';
  } else if (/NODE_MODULE_VERSION|different Node\.js version|did not self-register/.test(full)) {
    next = 'better-sqlite3 was built for another Node.js version: run npm rebuild better-sqlite3 (or pnpm rebuild better-sqlite3) with this Node.';
  } else if (/Could not locate the bindings file/.test(full)) {
    next = 'Its native build never ran: allow it (allow-scripts=better-sqlite3 in .npmrc; pnpm: onlyBuiltDependencies) and reinstall, or use Node.js 22.13 or later.';
  } else {
    return undefined;
  }
  return new SnekError('STORE_DEPENDENCY_MISSING', `better-sqlite3 cannot load on Node.js ${process.versions.node} (the sqlite store uses it where node:sqlite, built into Node.js 22.13+, is missing): ${message}. ${next}`, { cause: error });
}
