import { MAX_LIST_LIMIT, type BrowsePage, type BrowseQuery, type SnekSort, type SortPosition } from '@snek/core';
import type { SqliteConnection, SqliteRow, SqliteStatement } from './driver.js';
import { toSnek } from './statements.js';

// The keyset of each sort and direction, on its index. `name` and `id` ascend, with a row value that SQLite reads as
// a range of the index; `updated` is newest first and ids ascend within a seq, so its range is on the seq alone and
// the few rows of the boundary seq are sorted out by id. Keys compare with the BINARY collation: code point order
// for UTF-8, as compareSortPositions compares.
const KEYSET: Record<SnekSort, { after: string; before: string; order: string; reverse: string }> = {
  id: { after: 'id > @id', before: 'id < @id', order: 'id', reverse: 'id DESC' },
  name: { after: '(name_key, id) > (@key, @id)', before: '(name_key, id) < (@key, @id)', order: 'name_key, id', reverse: 'name_key DESC, id DESC' },
  updated: {
    after: 'updated_seq <= @key AND (updated_seq < @key OR id > @id)',
    before: 'updated_seq >= @key AND (updated_seq > @key OR id < @id)',
    order: 'updated_seq DESC, id',
    reverse: 'updated_seq, id DESC',
  },
};

/**
 * The statement of one page: a keyset on the sort's index, `after` (in order) or `before` (in reverse, put back in
 * order by the caller). Exported so tests can check its plan.
 */
export function browseSql(sort: SnekSort, typed: boolean, from: 'start' | 'after' | 'before'): string {
  const keyset = KEYSET[sort];
  const where: string[] = [];
  if (typed) where.push('type = @type');
  if (from !== 'start') where.push(keyset[from]);
  return `SELECT id, name, type, content, name_key, updated_seq FROM sneks${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${from === 'before' ? keyset.reverse : keyset.order} LIMIT @n`;
}

function position(sort: SnekSort, row: SqliteRow): SortPosition {
  const id = row['id'] as string;
  if (sort === 'id') return { key: id, id };
  if (sort === 'name') return { key: row['name_key'] as string, id };
  return { key: Number(row['updated_seq']), id };
}

/** browse() of the sqlite store: one indexed keyset read per page. */
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
    return { items: page.map((row) => ({ snek: toSnek(row), position: position(query.sort, row) })), more: rows.length > limit };
  }
}
