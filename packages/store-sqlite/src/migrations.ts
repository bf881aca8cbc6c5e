import { SnekError } from '@snek/core';
import type { SqliteConnection } from './driver.js';
import { KEEP_ART_SQL } from './change-log.js';
import { addSearchAndBrowse, dropTextSizes } from './search-schema.js';

/** A schema step: SQL, or a function for steps that need JS (the name's folding and natural key). */
export type Migration = string | ((db: SqliteConnection) => void);

/**
 * Schema changes in order; PRAGMA user_version records how many have run. Append, never edit:
 * files made by older releases are migrated forward at open.
 */
export const MIGRATIONS: readonly Migration[] = [
  // 1: the sneks. WITHOUT ROWID keeps rows in id order, which is the order list() pages in.
  'CREATE TABLE sneks (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, content TEXT NOT NULL) WITHOUT ROWID',
  // 2: indexes that serve the name and type filters already in id order.
  'CREATE INDEX sneks_name_id ON sneks (name, id); CREATE INDEX sneks_type_id ON sneks (type, id)',
  // 3: the pack sneks already seeded once (StoreSeedLedger), kept even after the snek is deleted.
  'CREATE TABLE seeded_pack_sneks (id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID',
  // 4: the change log (StoreChangeLog). AUTOINCREMENT: a seq is never given twice, even once the newest are dropped.
  // (id, seq) serves one snek's history, its newest change and retention's walk from it.
  `CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, op TEXT NOT NULL CHECK (op IN ('put', 'delete')), name TEXT, type TEXT, content TEXT, actor TEXT, at TEXT NOT NULL);
   CREATE INDEX changes_id_seq ON changes (id, seq)`,
  // 5: search, browse and type counts (see search-schema.ts).
  (db) => addSearchAndBrowse(db),
  // 6: the name filter goes by name_key (statements.ts LIST_FILTERS): one index fewer to keep and to build.
  'DROP INDEX IF EXISTS sneks_name_id',
  // 7: the trigram index without its text sizes (see search-schema.ts).
  (db) => dropTextSizes(db),
  // 8: a change may leave its art to its snek until the snek changes (see change-log.ts).
  KEEP_ART_SQL,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the file to SCHEMA_VERSION in one write transaction; refuses files from a newer release. The version is
 * read again under the write lock, so two servers opening one new file at once migrate it once.
 */
export function migrate(db: SqliteConnection, file: string): void {
  const userVersion = db.prepare('PRAGMA user_version');
  const version = () => userVersion.get()!['user_version'] as number;
  const check = (found: number) => {
    if (found > SCHEMA_VERSION) {
      throw new SnekError('STORE_INIT_FAILED', `${file} has schema version ${found}, but this @snek/store-sqlite knows only up to ${SCHEMA_VERSION}. Upgrade @snek/store-sqlite, or point server.store.options.file elsewhere.`);
    }
  };
  check(version());
  if (version() === SCHEMA_VERSION) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const found = version();
    check(found);
    for (const step of MIGRATIONS.slice(found)) typeof step === 'string' ? db.exec(step) : step(db);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
