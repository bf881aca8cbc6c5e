import { DEFAULT_CHANGES_LIMIT, MAX_CHANGES_LIMIT, type Actor, type Change, type ChangeQuery, type Snek } from '@snek/core';
import type { SqliteConnection, SqliteRow, SqliteStatement } from './driver.js';

// A put's art is NULL when its snek still holds it (written so by a bulk load: load-rows.ts), and read from the snek.
const CHANGE_COLUMNS = `seq, id, op, name, type,
  CASE WHEN content IS NULL AND op = 'put' THEN (SELECT s.content FROM sneks s WHERE s.id = changes.id AND s.updated_seq = changes.seq) ELSE content END AS content,
  actor, at`;

/**
 * The triggers that give a change its art back before its snek lets go of it: a put's change may leave its art to
 * the snek it wrote (content NULL), as long as the snek is as that put left it (updated_seq is its seq). A bulk load
 * keeps these: a later write of the load may overwrite a snek the load wrote so.
 */
export const ART_TRIGGERS = ['sneks_art_before_update', 'sneks_art_before_delete'] as const;

const [ART_ON_UPDATE, ART_ON_DELETE] = ART_TRIGGERS;
const GIVE_ART_BACK = "UPDATE changes SET content = old.content WHERE seq = old.updated_seq AND op = 'put' AND content IS NULL;";

/** Schema step 8: ART_TRIGGERS. */
export const KEEP_ART_SQL = `
  CREATE TRIGGER ${ART_ON_UPDATE} BEFORE UPDATE ON sneks WHEN old.updated_seq IS NOT new.updated_seq OR old.content IS NOT new.content BEGIN
    ${GIVE_ART_BACK}
  END;
  CREATE TRIGGER ${ART_ON_DELETE} BEFORE DELETE ON sneks BEGIN
    ${GIVE_ART_BACK}
  END;`;

/** The query of changes(), for an id filter or none and either order; exported so tests can check its plan. */
export function changesSql(byId: boolean, order: 'asc' | 'desc'): string {
  return `SELECT ${CHANGE_COLUMNS} FROM changes WHERE seq > @after AND seq < @before${byId ? ' AND id = @id' : ''} ORDER BY seq ${order.toUpperCase()} LIMIT @limit`;
}

/**
 * The table `changes`, written by the store inside each write's own transaction (the caller holds BEGIN IMMEDIATE),
 * so a change commits with its write or not at all. `seq` is an AUTOINCREMENT rowid given under the file's write
 * lock, so it grows in commit order across every server on the file and is never given twice, even after the newest
 * changes are dropped.
 */
export class SqliteChangeLog {
  private readonly statements: ReturnType<typeof prepare>;
  // Off while a bulk load defers retention to its end (pruneAfter).
  private pruning = true;

  constructor(
    db: SqliteConnection,
    private readonly keep: number,
  ) {
    this.statements = prepare(db);
  }

  /**
   * Appends a change of `id` (`snek` for a put, undefined for a delete) and drops that id's changes older than the
   * newest `keep`: a walk of at most keep + 1 entries of the (id, seq) index. Returns the change's seq.
   */
  append(id: string, snek: Snek | undefined, actor: Actor | undefined, at: string): number {
    const { append, prune } = this.statements;
    const { lastInsertRowid } = append.run(id, snek ? 'put' : 'delete', snek?.name ?? null, snek?.type ?? null, snek?.content ?? null, actor ? JSON.stringify(actor) : null, at);
    if (this.pruning) prune.run({ id, keep: this.keep });
    return Number(lastInsertRowid);
  }

  /** Appends a change made elsewhere with its own seq, actor and at, and applies retention as append does. */
  replay(change: Change): void {
    const { replay, prune } = this.statements;
    const snek = change.snek;
    replay.run({ seq: change.seq, id: change.id, op: change.op, name: snek?.name ?? null, type: snek?.type ?? null, content: snek?.content ?? null, actor: change.actor ? JSON.stringify(change.actor) : null, at: change.at });
    if (this.pruning) prune.run({ id: change.id, keep: this.keep });
  }

  /** The largest seq ever given, even if retention dropped its change since. */
  newestSeq(): number {
    return Number(this.statements.newest.get()!['seq']);
  }

  /** Appends keep every change until pruneAfter or keepPruning: a bulk load applies retention once, at its end. */
  deferPruning(): void {
    this.pruning = false;
  }

  /**
   * Applies retention to every id with a change after `seq`, once, and to each append again from now on.
   * `oneEach`: the caller knows that no id has more than one change, so none has more than `keep` (1M ids: 0.15 s).
   */
  pruneAfter(seq: number, oneEach = false): void {
    const { overKeep, prune } = this.statements;
    if (!oneEach || this.keep < 1) for (const row of overKeep.all({ seq, keep: this.keep })) prune.run({ id: row['id'] as string, keep: this.keep });
    this.pruning = true;
  }

  /** Whether the log holds no change at all. */
  empty(): boolean {
    return this.statements.any.get() === undefined;
  }

  keepPruning(): void {
    this.pruning = true;
  }

  read(query: ChangeQuery = {}): Change[] {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_CHANGES_LIMIT, 0), MAX_CHANGES_LIMIT);
    const order = query.order === 'desc' ? 'desc' : 'asc';
    const statement = this.statements.changes[`${query.id === undefined ? 'all' : 'id'}-${order}`];
    // node:sqlite refuses parameters a statement does not name, so @id is passed only to the statements that have it.
    const params: Record<string, string | number> = { after: query.after ?? 0, before: query.before ?? Number.MAX_SAFE_INTEGER, limit };
    if (query.id !== undefined) params['id'] = query.id;
    return statement.all(params).map(toChange);
  }

  latest(ids: readonly string[]): Change[] {
    return ids.length === 0 ? [] : this.statements.latest.all(JSON.stringify(ids)).map(toChange);
  }
}

function prepare(db: SqliteConnection) {
  const changes = (byId: boolean, order: 'asc' | 'desc'): SqliteStatement => db.prepare(changesSql(byId, order));
  return {
    // Positional: a write's one statement a row, where binding by name cost a bulk load some 0.7 µs a row.
    append: db.prepare('INSERT INTO changes (id, op, name, type, content, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    replay: db.prepare('INSERT INTO changes (seq, id, op, name, type, content, actor, at) VALUES (@seq, @id, @op, @name, @type, @content, @actor, @at)'),
    prune: db.prepare('DELETE FROM changes WHERE id = @id AND seq <= (SELECT seq FROM changes WHERE id = @id ORDER BY seq DESC LIMIT 1 OFFSET @keep)'),
    // The ids with a change after @seq and more than @keep: one walk of the (id, seq) index, which a bulk load's
    // million ids cost less than a prune each.
    overKeep: db.prepare('SELECT id FROM changes GROUP BY id HAVING count(*) > @keep AND max(seq) > @seq'),
    any: db.prepare('SELECT 1 FROM changes LIMIT 1'),
    newest: db.prepare("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0) AS seq"),
    changes: { 'all-asc': changes(false, 'asc'), 'all-desc': changes(false, 'desc'), 'id-asc': changes(true, 'asc'), 'id-desc': changes(true, 'desc') },
    // One max() per distinct id: SQLite answers it from the end of that id's range of the (id, seq) index.
    latest: db.prepare(`SELECT ${CHANGE_COLUMNS} FROM changes WHERE seq IN (SELECT (SELECT max(seq) FROM changes WHERE id = ids.value) FROM (SELECT DISTINCT value FROM json_each(?)) AS ids)`),
  };
}

/** Both drivers may hand back rows with a null prototype; callers get plain objects. */
export function toChange(row: SqliteRow): Change {
  const change: Change = { seq: Number(row['seq']), id: row['id'] as string, op: row['op'] as Change['op'], actor: actorOf(row['actor']), at: row['at'] as string };
  if (change.op === 'put') change.snek = { id: change.id, name: row['name'] as string, type: row['type'] as string, content: row['content'] as string };
  return change;
}

/** A change's actor as the column holds it: JSON, or NULL for none. */
export function actorOf(column: unknown): Actor | null {
  return column === null ? null : (JSON.parse(column as string) as Actor);
}
