import { foldCase, naturalKey } from '@snek/core';
import type { SqliteConnection } from './driver.js';

/** The text the trigram index holds for a row of `sneks`: its folded name and its id. */
export const FTS_TEXT = "folded || ' ' || id";

/**
 * Schema step 7: the trigram index again, without the size of each row's text (columnsize=0), which only FTS5's own
 * ranking reads (search ranks by searchRank): a table fewer to write, at 1M sneks 1.6 s to build instead of 2.0 s.
 */
export function dropTextSizes(db: SqliteConnection): void {
  db.exec(`DROP TABLE sneks_fts;
    CREATE VIRTUAL TABLE sneks_fts USING fts5(text, tokenize = 'trigram case_sensitive 1', detail = 'none', columnsize = 0);
    INSERT INTO sneks_fts (rowid, text) SELECT rid, ${FTS_TEXT} FROM sneks;`);
}

/** Fills an empty `type_counts` from `sneks`. */
export const COUNT_TYPES_SQL = 'INSERT INTO type_counts (type, count) SELECT type, count(*) FROM sneks GROUP BY type';

/**
 * Schema step 5, run inside the migration's write transaction: the columns of snek-row.ts, the counts per type, and a
 * trigram index of names and ids, kept by triggers on `sneks` (and, for new rows, snek-upserts.ts), so that every
 * write path (put, putIf, delete, deleteIf, putMany, createMany, replayChanges, import) keeps them in its own
 * transaction. A file from an
 * older release is backfilled here; indexes and the FTS table are filled after the backfill, which is faster.
 */
export function addSearchAndBrowse(db: SqliteConnection): void {
  db.exec(`ALTER TABLE sneks ADD COLUMN folded TEXT NOT NULL DEFAULT '';
    ALTER TABLE sneks ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE sneks ADD COLUMN updated_seq INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sneks ADD COLUMN rid INTEGER NOT NULL DEFAULT 0`);
  const update = db.prepare(`UPDATE sneks SET folded = @folded, name_key = @name_key, rid = @rid,
    updated_seq = coalesce((SELECT max(seq) FROM changes WHERE id = @id), 0) WHERE id = @id`);
  let rid = 0;
  for (const row of db.prepare('SELECT id, name FROM sneks ORDER BY id').all()) {
    const name = row['name'] as string;
    update.run({ id: row['id'] as string, folded: foldCase(name), name_key: naturalKey(name), rid: ++rid });
  }
  db.exec(`
    -- rid: the FTS rowid of a snek (sneks is WITHOUT ROWID, and FTS5 wants an integer key).
    CREATE UNIQUE INDEX sneks_rid ON sneks (rid);
    -- browse sort=name, and search walked in name order (tier 0 too: one folded name has one key).
    CREATE INDEX sneks_name_key_id ON sneks (name_key, id);
    CREATE INDEX sneks_type_name_key_id ON sneks (type, name_key, id);
    -- browse sort=updated: newest first, ties by id, as the index holds them.
    CREATE INDEX sneks_updated_id ON sneks (updated_seq DESC, id);
    CREATE INDEX sneks_type_updated_id ON sneks (type, updated_seq DESC, id);

    CREATE TABLE type_counts (type TEXT PRIMARY KEY NOT NULL, count INTEGER NOT NULL) WITHOUT ROWID;
    ${COUNT_TYPES_SQL};

    -- The trigram tokenizer, case-sensitive: the text is folded already (foldCase), and SQLite's own folding differs.
    -- One column, the folded name and the id, without positions (detail=none): candidates only, each checked in SQL
    -- and ranked by searchRank, so a match across the two or by trigrams out of order costs a row, not a result.
    -- Types are few: search finds them in type_counts.
    CREATE VIRTUAL TABLE sneks_fts USING fts5(text, tokenize = 'trigram case_sensitive 1', detail = 'none');
    INSERT INTO sneks_fts (rowid, text) SELECT rid, ${FTS_TEXT} FROM sneks;

    CREATE TRIGGER sneks_inserted AFTER INSERT ON sneks BEGIN
      INSERT INTO type_counts (type, count) VALUES (new.type, 1) ON CONFLICT (type) DO UPDATE SET count = count + 1;
    END;
    -- A new row's FTS row is written by snek-upserts.ts, last in its transaction; renames and deletes are kept here.
    CREATE TRIGGER sneks_deleted AFTER DELETE ON sneks BEGIN
      UPDATE type_counts SET count = count - 1 WHERE type = old.type;
      DELETE FROM type_counts WHERE type = old.type AND count = 0;
      DELETE FROM sneks_fts WHERE rowid = old.rid;
    END;
    CREATE TRIGGER sneks_retyped AFTER UPDATE OF type ON sneks WHEN old.type IS NOT new.type BEGIN
      INSERT INTO type_counts (type, count) VALUES (new.type, 1) ON CONFLICT (type) DO UPDATE SET count = count + 1;
      UPDATE type_counts SET count = count - 1 WHERE type = old.type;
      DELETE FROM type_counts WHERE type = old.type AND count = 0;
    END;
    CREATE TRIGGER sneks_renamed AFTER UPDATE OF folded ON sneks WHEN old.folded IS NOT new.folded BEGIN
      UPDATE sneks_fts SET text = new.folded || ' ' || new.id WHERE rowid = new.rid;
    END;
  `);
}
