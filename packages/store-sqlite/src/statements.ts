import type { Snek } from '@snek/core';
import type { SqliteConnection, SqliteRow } from './driver.js';

const COLUMNS = 'id, name, type, content';

/** The page query for a filter prefix such as "type = @type AND "; exported so tests can check its plan. */
export function listSql(where: string): string {
  return `SELECT ${COLUMNS} FROM sneks WHERE ${where}id > @after ORDER BY id LIMIT @limit`;
}

/**
 * A name filter goes by the name's natural key (snek-row.ts), which one name has one of: the (name_key, id) and
 * (type, name_key, id) indexes that sort=name pages on serve it in id order, so no index of names is kept for it.
 */
export const LIST_FILTERS = ['', 'name_key = @name_key AND name = @name AND ', 'type = @type AND ', 'type = @type AND name_key = @name_key AND name = @name AND '] as const;

/** Both drivers may hand back rows with a null prototype; callers get plain objects. */
export function toSnek(row: SqliteRow): Snek {
  return { id: row['id'] as string, name: row['name'] as string, type: row['type'] as string, content: row['content'] as string };
}

/** The store's own statements, prepared once per connection; the change log's are in change-log.ts. */
export function prepareStatements(db: SqliteConnection) {
  return {
    beginRead: db.prepare('BEGIN'),
    beginWrite: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    // A write inside a bulk load, whose transaction is open already.
    savepoint: db.prepare('SAVEPOINT write'),
    release: db.prepare('RELEASE write'),
    rollbackTo: db.prepare('ROLLBACK TO write'),
    get: db.prepare(`SELECT ${COLUMNS} FROM sneks WHERE id = ?`),
    exists: db.prepare('SELECT 1 FROM sneks WHERE id = ?'),
    delete: db.prepare('DELETE FROM sneks WHERE id = ?'),
    // Indexed by [name given] + 2 × [type given].
    list: LIST_FILTERS.map((where) => db.prepare(listSql(where))),
    // Kept by the triggers of migration 5; a type with no snek has no row.
    countTypes: db.prepare('SELECT type, count FROM type_counts ORDER BY type'),
    seeded: db.prepare('SELECT id FROM seeded_pack_sneks WHERE id IN (SELECT value FROM json_each(?))'),
    recordSeeded: db.prepare('INSERT OR IGNORE INTO seeded_pack_sneks (id) SELECT value FROM json_each(?)'),
    pragmas: {
      userVersion: db.prepare('PRAGMA user_version'),
      journalMode: db.prepare('PRAGMA journal_mode'),
      synchronous: db.prepare('PRAGMA synchronous'),
    },
  };
}
