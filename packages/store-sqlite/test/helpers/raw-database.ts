import { openConnection, type SqliteConnection } from '../../src/driver.js';

/**
 * A connection for looking at a store's file directly, on the driver the store would pick on this Node, so tests
 * check the file with the same SQLite the server uses.
 */
export function rawDatabase(file: string, options: { readonly?: boolean } = {}): Promise<SqliteConnection> {
  return openConnection(file, 'auto', options);
}

/** The first column of the first row, for PRAGMAs and counts. */
export function scalar(db: SqliteConnection, sql: string): unknown {
  const row = db.prepare(sql).get();
  return row && Object.values(row)[0];
}
