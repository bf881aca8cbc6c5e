import { foldCase, naturalKey, type Snek } from '@snek/core';

/**
 * The columns kept beside a snek's own for search and browse, worked out in JS at write time, because SQLite's
 * lower() folds ASCII only and has no natural order: `folded` (foldCase of the name, what search matches),
 * `name_key` (naturalKey of the name, the name order) and `updated_seq` (the seq of its newest change).
 */
export function snekRow(snek: Snek, updatedSeq: number): Record<string, string | number> {
  return { id: snek.id, name: snek.name, type: snek.type, content: snek.content, folded: foldCase(snek.name), name_key: naturalKey(snek.name), updated_seq: updatedSeq };
}

const upsertSql = (rid: string) => `INSERT INTO sneks (id, name, type, content, folded, name_key, updated_seq, rid)
  VALUES (@id, @name, @type, @content, @folded, @name_key, @updated_seq, ${rid})
  ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, content = excluded.content,
    folded = excluded.folded, name_key = excluded.name_key, updated_seq = excluded.updated_seq`;

/**
 * The one upsert of a snek, for writes and replays alike. A new row takes the next `rid` (the FTS rowid; see
 * migrations.ts): one step down the rid index, under the write lock, so two servers on one file never share one.
 */
export const UPSERT_SQL = upsertSql('coalesce((SELECT max(rid) FROM sneks), 0) + 1');

/**
 * The upsert with a new row's rid given as @rid, for a bulk load that has dropped the rid index: it holds the write
 * lock from start to end, so the rids it counts up from the largest are still nobody else's.
 */
export const UPSERT_WITH_RID_SQL = upsertSql('@rid');
