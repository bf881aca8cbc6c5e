import Database from 'better-sqlite3';

// better-sqlite3 12 aborts the process on Node >= 24.19 when the garbage collector frees one of its objects
// outside JavaScript (see keepForever in sqlite-store.ts), so tests keep every connection and statement they make.
const kept: object[] = [];

/** A better-sqlite3 connection for looking at a store's file directly; it and its statements are never collected. */
export function rawDatabase(file: string, options?: Database.Options): Database.Database {
  const db = new Database(file, options);
  kept.push(db);
  const prepare = db.prepare.bind(db);
  // pragma() prepares through this too.
  db.prepare = ((...args: Parameters<typeof prepare>) => {
    const statement = prepare(...args);
    kept.push(statement);
    return statement;
  }) as typeof db.prepare;
  return db;
}
