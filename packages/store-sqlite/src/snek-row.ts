import { foldCase, naturalKey, type Snek } from '@snek/core';

/**
 * The parameters of the upserts below, in their order: a snek's own columns and those kept beside them for search and
 * browse, worked out in JS at write time, because SQLite's lower() folds ASCII only and has no natural order:
 * `folded` (foldCase of the name, what search matches), `name_key` (naturalKey of the name, the name order) and
 * `updated_seq` (the seq of its newest change). Positional, not named: binding by name cost a bulk load some 0.7 µs
 * a row.
 */
export function snekRow(snek: Snek, updatedSeq: number): [string, string, string, string, string, string, number] {
  return [snek.id, snek.name, snek.type, snek.content, foldCase(snek.name), naturalKey(snek.name), updatedSeq];
}

const upsertSql = (rid: string) => `INSERT INTO sneks (id, name, type, content, folded, name_key, updated_seq, rid)
  VALUES (?, ?, ?, ?, ?, ?, ?, ${rid})
  ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, content = excluded.content,
    folded = excluded.folded, name_key = excluded.name_key, updated_seq = excluded.updated_seq`;

/**
 * The one upsert of a snek, for writes and replays alike. A new row takes the next `rid` (the FTS rowid; see
 * migrations.ts): one step down the rid index, under the write lock, so two servers on one file never share one.
 */
export const UPSERT_SQL = upsertSql('coalesce((SELECT max(rid) FROM sneks), 0) + 1');

/**
 * The upsert with a new row's rid given as an eighth parameter, for a bulk load that has dropped the rid index: it
 * holds the write lock from start to end, so the rids it counts up from the largest are still nobody else's.
 */
export const UPSERT_WITH_RID_SQL = upsertSql('?');
