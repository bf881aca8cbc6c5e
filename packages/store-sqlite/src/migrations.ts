import type { Database } from 'better-sqlite3';
import { SnekError } from '@snek/core';

/**
 * Schema changes in order; PRAGMA user_version records how many have run. Append, never edit:
 * files made by older releases are migrated forward at open.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the sneks. WITHOUT ROWID keeps rows in id order, which is the order list() pages in.
  'CREATE TABLE sneks (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, content TEXT NOT NULL) WITHOUT ROWID',
  // 2: indexes that serve the name and type filters already in id order.
  'CREATE INDEX sneks_name_id ON sneks (name, id); CREATE INDEX sneks_type_id ON sneks (type, id)',
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file to SCHEMA_VERSION in one transaction; refuses files from a newer release. */
export function migrate(db: Database, file: string, userVersion: () => number): void {
  const version = userVersion();
  if (version > SCHEMA_VERSION) {
    throw new SnekError('STORE_INIT_FAILED', `${file} has schema version ${version}, but this @snek/store-sqlite knows only up to ${SCHEMA_VERSION}. Upgrade @snek/store-sqlite, or point server.store.options.file elsewhere.`);
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (const step of MIGRATIONS.slice(version)) db.exec(step);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  })();
}
