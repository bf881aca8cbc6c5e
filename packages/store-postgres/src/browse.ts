import type pg from 'pg';
import type { Actor, BrowsePage, BrowseQuery, BrowsedChange, Snek, SortPosition } from '@snek/core';
import { isoAt } from './statements.js';

/** Runs a statement of this store (named, so PostgreSQL keeps its plan). */
export type RunQuery = <R extends pg.QueryResultRow>(method: string, text: string, values: unknown[]) => Promise<{ rows: R[] }>;

/** A snek, its sort key and its newest change (`latest_*` null when the log holds none). */
type Row = Snek & { key: string; latest_seq: string | null; latest_actor: Actor | null; latest_at: string | null };

const COLUMNS = 's.id, s.name, s.type, s.content';
/** The newest change of each row as `latest_*`, from the change log's alias `c`. */
const latestOf = (c: string) => `${c}.seq::text AS latest_seq, ${c}.actor AS latest_actor, ${isoAt(`${c}.at`)} AS latest_at`;
/** The largest seq: "after" it is every change, newest first. */
const NEWEST = '9223372036854775807';
/** Above every id (ids are slugs). */
const LAST_ID = '\u{10ffff}';

/**
 * The statements of browse(), each by keyset on an index: `id` on the primary key (or (type, id)), `name` on
 * (name_key, id) (or (type, name_key, id)). `updated` walks the change log newest first, keeping each id's newest
 * change, a put (its snek exists, as that put left it): the seq is then the snek's, without writing the snek row a
 * second time to keep it there (a write takes its seq after its rows, see statements.ts). Sneks with no change at
 * all (from before the log) come last, at seq 0, by id, from `unlogged_sneks`.
 * Each row carries its snek's newest change (BrowsePage's `latest`), in the same statement, so a page costs one round
 * trip: `id` and `name` descend (id, seq) of the log once a row, `updated` reads it already.
 * Variants: [no type, type as the last parameter].
 */
export function browseStatements(schema: string) {
  const sneks = `${schema}.sneks`;
  const changes = `${schema}.changes`;
  const newest = `LEFT JOIN LATERAL (SELECT seq, actor, at FROM ${changes} WHERE id = s.id ORDER BY seq DESC LIMIT 1) l ON true`;
  // Each as [no type, with a type]: `typed(n)` is the type's condition as parameter $n.
  const both = (make: (typed: (at: number, column?: string) => string) => string) => [make(() => ''), make((at, column = 's.type') => ` AND ${column} = $${at}`)] as const;
  // $1 key, $2 id, $3 limit, $4 type.
  const keyed = (key: string) => {
    const page = (op: '>' | '<', order: 'ASC' | 'DESC') =>
      both((typed) => `SELECT ${COLUMNS}, ${key} AS key, ${latestOf('l')} FROM ${sneks} s ${newest} WHERE (${key}, s.id) ${op} ($1, $2)${typed(4)} ORDER BY ${key} ${order}, s.id ${order} LIMIT $3`);
    return { after: page('>', 'ASC'), before: page('<', 'DESC') };
  };
  // $1 seq (or id), then the type, then the limit.
  const newestPut = (op: '>' | '<', order: 'ASC' | 'DESC') =>
    both((typed) => `SELECT ${COLUMNS}, c.seq::text AS key, ${latestOf('c')} FROM ${changes} c JOIN ${sneks} s ON s.id = c.id
      WHERE c.op = 'put' AND c.seq ${op} $1::bigint${typed(2, 'c.type')}
        AND NOT EXISTS (SELECT 1 FROM ${changes} n WHERE n.id = c.id AND n.seq > c.seq)
      ORDER BY c.seq ${order} LIMIT $${typed(2) ? 3 : 2}`);
  const unlogged = (op: '>' | '<', order: 'ASC' | 'DESC') =>
    both((typed) => `SELECT ${COLUMNS}, '0' AS key, NULL::text AS latest_seq, NULL::jsonb AS latest_actor, NULL::text AS latest_at FROM ${schema}.unlogged_sneks u JOIN ${sneks} s ON s.id = u.id
      WHERE u.id ${op} $1${typed(2)} AND NOT EXISTS (SELECT 1 FROM ${changes} c WHERE c.id = u.id)
      ORDER BY u.id ${order} LIMIT $${typed(2) ? 3 : 2}`);
  return {
    id: keyed('s.id'),
    name: keyed('s.name_key'),
    updated: { after: newestPut('<', 'DESC'), before: newestPut('>', 'ASC'), unloggedAfter: unlogged('>', 'ASC'), unloggedBefore: unlogged('<', 'DESC') },
  };
}

export type BrowseStatements = ReturnType<typeof browseStatements>;

/** One page of browse(): `limit + 1` rows read in the page's direction tell whether there are more. */
export async function browse(run: RunQuery, sql: BrowseStatements, query: BrowseQuery): Promise<BrowsePage> {
  const { sort, limit, before } = query;
  const variant = query.type === undefined ? 0 : 1;
  const typed = query.type === undefined ? [] : [query.type];
  const want = limit + 1;
  let rows: Row[];
  if (sort === 'updated') rows = await updatedRows(run, sql.updated, variant, typed, query, want);
  else {
    const from = before ?? query.after ?? { key: '', id: '' };
    const statement = sql[sort][before ? 'before' : 'after'][variant]!;
    rows = (await run<Row>('browse', statement, [String(from.key), from.id, want, ...typed])).rows;
  }
  const page = rows.slice(0, limit);
  if (before) page.reverse();
  return {
    items: page.map(({ key, latest_seq, latest_actor, latest_at, ...snek }) => ({ snek, position: position(sort, key, snek.id), latest: latestChange(latest_seq, latest_actor, latest_at) })),
    more: rows.length > limit,
  };
}

function latestChange(seq: string | null, actor: Actor | null, at: string | null): BrowsedChange | null {
  return seq === null || at === null ? null : { seq: Number(seq), actor, at };
}

function position(sort: BrowseQuery['sort'], key: string, id: string): SortPosition {
  return { key: sort === 'updated' ? Number(key) : key, id };
}

/** Newest first: the logged sneks by seq, then the unlogged by id; read backwards for `before`. */
async function updatedRows(run: RunQuery, sql: BrowseStatements['updated'], variant: number, typed: string[], query: BrowseQuery, want: number): Promise<Row[]> {
  const logged = async (statement: readonly string[], seq: string, count: number) => (await run<Row>('browse', statement[variant]!, [seq, ...typed, count])).rows;
  const unlogged = async (statement: readonly string[], id: string, count: number) => (await run<Row>('browse', statement[variant]!, [id, ...typed, count])).rows;
  if (query.before) {
    const key = Number(query.before.key);
    if (key > 0) return logged(sql.before, String(key), want);
    const rows = await unlogged(sql.unloggedBefore, key < 0 ? LAST_ID : query.before.id, want);
    return rows.length < want ? rows.concat(await logged(sql.before, '0', want - rows.length)) : rows;
  }
  const key = query.after === undefined ? Infinity : Number(query.after.key);
  if (key < 0) return [];
  if (key === 0) return unlogged(sql.unloggedAfter, query.after!.id, want);
  const rows = await logged(sql.after, key === Infinity ? NEWEST : String(key), want);
  return rows.length < want ? rows.concat(await unlogged(sql.unloggedAfter, '', want - rows.length)) : rows;
}
