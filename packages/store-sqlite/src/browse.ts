import { MAX_LIST_LIMIT, type BrowsePage, type BrowseQuery, type SnekSort, type SortPosition } from '@snek/core';
import type { SqliteConnection, SqliteRow, SqliteStatement } from './driver.js';
import { toSnek } from './statements.js';

// Each sort's key as SQL, in ascending order of the sort: `updated` is newest first, so its key is -updated_seq
// (an expression index in migration 5 has it). Ties go by id; every key compares with SQLite's BINARY collation,
// which is code point order for UTF-8, as compareSortPositions compares.
const SORT_KEY: Record<SnekSort, string> = { id: 'id', name: 'name_key', updated: '-updated_seq' };

/**
 * The statement of one page: a keyset on the sort's index, `after` (ascending) or `before` (descending, put back in
 * order by the caller). Exported so tests can check its plan.
 */
export function browseSql(sort: SnekSort, typed: boolean, from: 'start' | 'after' | 'before'): string {
  const key = SORT_KEY[sort];
  const where: string[] = [];
  if (typed) where.push('type = @type');
  if (from !== 'start') where.push(sort === 'id' ? `id ${from === 'after' ? '>' : '<'} @id` : `(${key}, id) ${from === 'after' ? '>' : '<'} (@key, @id)`);
  const order = sort === 'id' ? 'id' : `${key}, id`;
  const direction = from === 'before' ? order.split(', ').map((part) => `${part} DESC`).join(', ') : order;
  return `SELECT id, name, type, content, name_key, updated_seq FROM sneks${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${direction} LIMIT @n`;
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
      if (query.sort === 'updated') params['key'] = -Number(at.key);
    }
    const rows = statement.all(params);
    const page = rows.slice(0, limit);
    if (from === 'before') page.reverse();
    return { items: page.map((row) => ({ snek: toSnek(row), position: position(query.sort, row) })), more: rows.length > limit };
  }
}
