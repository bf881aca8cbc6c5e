import { MAX_LIST_LIMIT, type BrowsePage, type BrowsedChange, type BrowseQuery, type SnekSort, type SortPosition } from '@snek/core';
import { actorOf } from './change-log.js';
import type { SqliteConnection, SqliteRow, SqliteStatement } from './driver.js';
import { toSnek } from './statements.js';

// The keyset of each sort and direction, on its index. `name` and `id` ascend, with a row value that SQLite reads as
// a range of the index; `updated` is newest first and ids ascend within a seq, so its range is on the seq alone and
// the few rows of the boundary seq are sorted out by id. Keys compare with the BINARY collation: code point order
// for UTF-8, as compareSortPositions compares.
const KEYSET: Record<SnekSort, { after: string; before: string; order: string; reverse: string }> = {
  id: { after: 's.id > @id', before: 's.id < @id', order: 's.id', reverse: 's.id DESC' },
  name: { after: '(s.name_key, s.id) > (@key, @id)', before: '(s.name_key, s.id) < (@key, @id)', order: 's.name_key, s.id', reverse: 's.name_key DESC, s.id DESC' },
  updated: {
    after: 's.updated_seq <= @key AND (s.updated_seq < @key OR s.id > @id)',
    before: 's.updated_seq >= @key AND (s.updated_seq > @key OR s.id < @id)',
    order: 's.updated_seq DESC, s.id',
    reverse: 's.updated_seq, s.id DESC',
  },
};

/**
 * The statement of one page: a keyset on the sort's index, `after` (in order) or `before` (in reverse, put back in
 * order by the caller). Each row brings its snek's newest change (BrowsePage's `latest`): the one of seq
 * `updated_seq`, which every write and replay sets to its change's seq, a step down the change log's rowid. Exported
 * so tests can check its plan.
 */
export function browseSql(sort: SnekSort, typed: boolean, from: 'start' | 'after' | 'before'): string {
  const keyset = KEYSET[sort];
  const where: string[] = [];
  if (typed) where.push('s.type = @type');
  if (from !== 'start') where.push(keyset[from]);
  return `SELECT s.id, s.name, s.type, s.content, s.name_key, s.updated_seq, c.seq AS latest_seq, c.actor AS latest_actor, c.at AS latest_at
    FROM sneks s LEFT JOIN changes c ON c.seq = s.updated_seq AND c.id = s.id${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${from === 'before' ? keyset.reverse : keyset.order} LIMIT @n`;
}

function position(sort: SnekSort, row: SqliteRow): SortPosition {
  const id = row['id'] as string;
  if (sort === 'id') return { key: id, id };
  if (sort === 'name') return { key: row['name_key'] as string, id };
  return { key: Number(row['updated_seq']), id };
}

/** The row's newest change, null when the log holds none (a snek older than the log, or retention kept none). */
function latest(row: SqliteRow): BrowsedChange | null {
  if (row['latest_seq'] === null) return null;
  return { seq: Number(row['latest_seq']), actor: actorOf(row['latest_actor']), at: row['latest_at'] as string };
}

/** browse() of the sqlite store: one indexed keyset read per page, with each snek's newest change. */
export class SqliteBrowse {
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(private readonly db: SqliteConnection) {}

  browse(query: BrowseQuery): BrowsePage {
    const limit = Math.min(Math.max(query.limit, 1), MAX_LIST_LIMIT);
    const from = query.after ? 'after' : query.before ? 'before' : 'start';
    const at = query.after ?? query.before;
    const sql = browseSql(query.sort, query.type !== undefined, from);
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    const params: Record<string, string | number> = { n: limit + 1 };
    if (query.type !== undefined) params['type'] = query.type;
    if (at) {
      params['id'] = at.id;
      if (query.sort === 'name') params['key'] = String(at.key);
      if (query.sort === 'updated') params['key'] = Number(at.key);
    }
    const rows = statement.all(params);
    const page = rows.slice(0, limit);
    if (from === 'before') page.reverse();
    return { items: page.map((row) => ({ snek: toSnek(row), position: position(query.sort, row), latest: latest(row) })), more: rows.length > limit };
  }
}
