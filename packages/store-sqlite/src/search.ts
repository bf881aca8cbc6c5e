import { MAX_LIST_LIMIT, compareKeys, naturalKeyOfFolded, compareRanks, prepareSearch, searchRank, type PreparedSearch, type SearchPage, type SearchQuery, type SearchRank, type SearchTier, type Snek } from '@snek/core';
import type { SqliteConnection, SqliteRow, SqliteStatement } from './driver.js';
import { nameKeyRanges } from './name-key-ranges.js';
import { toSnek } from './statements.js';

/**
 * Tiers 2 and 3 take their candidates from the trigram index when it names at most this many rows, and sort them in
 * SQL; past that the tier is dense enough that walking the (name_key, id) index in rank order and checking each row
 * finds a page sooner (at 1M sneks, 1 row in 200 or more matches).
 */
export const DENSE_CANDIDATES = 5000;
/**
 * A walk of the name order (tiers 2 and 3 for a text under 3 characters, or one whose trigrams are in more than
 * DENSE_CANDIDATES rows) reads at most this many rows per page and tier: a dense tier fills its page long before, and
 * a sparse one costs a bounded read (about 5 µs a row) instead of a scan of every snek. The bound makes such a tier
 * inexact past it in a store of more sneks than this; every tier of a smaller store is exact.
 */
export const SCAN_BOUND = 2000;
/**
 * Near misses (tier 4) are ranked among at most this many candidates. A store of at most this many sneks (of the
 * type asked for) ranks every one, exactly as rankSneks does. Past that the candidates are the rows holding the most
 * of the text's rarer trigrams (those in at most this many rows), by FTS5's rank; when every trigram is that common,
 * this many rows that hold them all. A near miss outside the candidates is not found: at 1M sneks near misses are an
 * approximation, the other tiers exact.
 */
export const NEAR_MISS_CANDIDATES = 1000;

const COLUMNS = 's.id, s.name, s.type, s.content';
// What a rank needs: near-miss candidates are many, and their art is read only for the page.
const RANKED_COLUMNS = 's.id, s.name, s.type';

// What makes a row a match of each tier, in SQL, on the folded name: the same tests as core's searchRank.
const TIER_SQL: Record<0 | 1 | 2 | 3, string> = {
  0: 's.folded = @q',
  1: 'substr(s.folded, 1, @length) = @q AND s.folded <> @q',
  2: 'instr(s.folded, @q) > 1',
  3: 'instr(s.folded, @q) = 0 AND (instr(s.id, @q) > 0 OR instr(s.type, @q) > 0)',
};

type Params = Record<string, string | number>;
/** The text prepared, with the natural key of an exact match (tier 0). */
type Search = PreparedSearch & { key: string };
type Found = Array<{ snek: Snek; rank: SearchRank }>;

/** An FTS5 string for one trigram: double quotes doubled, so no text is read as query syntax. */
function quoted(gram: string): string {
  return `"${gram.replaceAll('"', '""')}"`;
}

/** Every run of three code points of `folded`, once each. */
function windows(folded: string): string[] {
  const points = Array.from(folded);
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= points.length; i++) grams.add(points[i]! + points[i + 1]! + points[i + 2]!);
  return [...grams];
}

/**
 * search() of the sqlite store: tier by tier, each read in rank order from an index and stopped once the page is full,
 * so a text that matches every name costs a page, not a million ranks. Each row found is ranked by core's searchRank.
 */
export class SqliteSearch {
  private readonly statements = new Map<string, SqliteStatement>();
  // FTS counts of this search, by query: tiers 2 and 3 ask the same one.
  private counted = new Map<string, number>();

  constructor(private readonly db: SqliteConnection) {}

  search(query: SearchQuery): SearchPage {
    try {
      return this.tiers(query);
    } finally {
      this.counted = new Map();
    }
  }

  private tiers(query: SearchQuery): SearchPage {
    const limit = Math.min(Math.max(query.limit, 1), MAX_LIST_LIMIT);
    const prepared = prepareSearch(query.q);
    const search: Search = { ...prepared, key: naturalKeyOfFolded(prepared.folded) };
    const found: Found = [];
    if (search.folded === '') return { items: [], more: false };
    for (const tier of [0, 1, 2, 3, 4] as const) {
      const need = limit + 1 - found.length;
      if (need <= 0) break;
      if (query.after && tier < query.after.tier) continue;
      const after = query.after?.tier === tier ? query.after : undefined;
      found.push(...(tier === 4 ? this.nearMisses(search, query.type, after, need) : this.tier(tier, search, query.type, after, need)));
    }
    return { items: found.slice(0, limit), more: found.length > limit };
  }

  private statement(sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  /** Rows of tiers 0-3 in (name_key, id) order after `after`, at most `need`. */
  private tier(tier: 0 | 1 | 2 | 3, search: Search, type: string | undefined, after: SearchRank | undefined, need: number): Found {
    const params: Params = { q: search.folded, n: need };
    const where = [TIER_SQL[tier]];
    if (type !== undefined) (params['type'] = type), where.push('s.type = @type');
    const rows: SqliteRow[] = [];
    if (tier === 0) {
      // One folded name has one key: its rows follow in id order on the (name_key, id) index.
      params['key'] = search.key;
      where.push('s.name_key = @key');
      if (after) (params['id'] = after.id), where.push('s.id > @id');
      rows.push(...this.statement(`SELECT ${COLUMNS} FROM sneks s WHERE ${where.join(' AND ')} ORDER BY s.id LIMIT @n`).all(params));
    } else if (tier === 1) {
      params['length'] = Array.from(search.folded).length;
      for (const range of nameKeyRanges(search.folded)) {
        if (rows.length >= need) break;
        if (after && range.to !== undefined && compareKeys(after.key, range.to) >= 0) continue;
        const rangeParams: Params = { ...params, n: need - rows.length };
        const bounds: string[] = [];
        if (after && compareKeys(after.key, range.from) >= 0) {
          bounds.push('(s.name_key, s.id) > (@key, @id)');
          Object.assign(rangeParams, { key: after.key, id: after.id });
        } else {
          bounds.push('s.name_key >= @from');
          rangeParams['from'] = range.from;
        }
        if (range.to !== undefined) (rangeParams['to'] = range.to), bounds.push('s.name_key < @to');
        rows.push(...this.statement(`SELECT ${COLUMNS} FROM sneks s WHERE ${[...bounds, ...where].join(' AND ')} ORDER BY s.name_key, s.id LIMIT @n`).all(rangeParams));
      }
    } else {
      if (after) (params['key'] = after.key), (params['id'] = after.id), where.push('(s.name_key, s.id) > (@key, @id)');
      const match = this.candidatesMatch(tier, search.folded, type);
      if (match === undefined) {
        const [filter, ...window] = where;
        params['bound'] = SCAN_BOUND;
        const read = `SELECT * FROM sneks s${window.length ? ` WHERE ${window.join(' AND ')}` : ''} ORDER BY s.name_key, s.id LIMIT @bound`;
        rows.push(...this.statement(`SELECT ${COLUMNS} FROM (${read}) s WHERE ${filter} ORDER BY s.name_key, s.id LIMIT @n`).all(params));
      } else {
        params['match'] = match;
        rows.push(...this.statement(`SELECT ${COLUMNS} FROM sneks_fts f CROSS JOIN sneks s ON s.rid = f.rowid WHERE sneks_fts MATCH @match AND ${where.join(' AND ')} ORDER BY s.name_key, s.id LIMIT @n`).all(params));
      }
    }
    return ranked(search, rows, tier);
  }

  /**
   * The FTS5 query (names and ids holding every trigram of the text) for tiers 2 and 3 when it names few enough rows;
   * undefined when the text is too short for trigrams, when the rows are many, or, in tier 3, when a type holds the
   * text (the FTS table has no types): then the caller walks the name order instead.
   */
  private candidatesMatch(tier: 2 | 3, folded: string, type: string | undefined): string | undefined {
    const grams = windows(folded);
    if (grams.length === 0) return undefined;
    if (tier === 3 && this.statement('SELECT type FROM type_counts').all().some((row) => (row['type'] as string).includes(folded) && (type === undefined || row['type'] === type))) return undefined;
    // Rows holding the rare trigrams are few, and hold every row with all of them: AND-ing the common ones too would
    // read their long lists for nothing (SQL checks each row anyway).
    const rare = this.rareGrams(grams);
    if (rare.length > 0) return rare.map(quoted).join(' AND ');
    const match = grams.map(quoted).join(' AND ');
    return this.rows(match, DENSE_CANDIDATES + 1) > DENSE_CANDIDATES ? undefined : match;
  }

  /** Those of `grams` in at most NEAR_MISS_CANDIDATES rows. */
  private rareGrams(grams: string[]): string[] {
    return grams.filter((gram) => this.rows(quoted(gram), NEAR_MISS_CANDIDATES + 1) <= NEAR_MISS_CANDIDATES);
  }

  /** How many rows the FTS query `match` names, counted up to `cap`. */
  private rows(match: string, cap: number): number {
    const key = `${cap} ${match}`;
    let count = this.counted.get(key);
    if (count === undefined) this.counted.set(key, (count = Number(this.statement('SELECT count(*) AS n FROM (SELECT 1 FROM sneks_fts WHERE sneks_fts MATCH @match LIMIT @cap)').get({ match, cap })!['n'])));
    return count;
  }

  /** Tier 4: candidates ranked in JS, sorted by compareRanks, those after `after` kept. */
  private nearMisses(search: PreparedSearch, type: string | undefined, after: SearchRank | undefined, need: number): Found {
    if (search.grams.size === 0) return [];
    const params: Params = {};
    if (type !== undefined) params['type'] = type;
    const filter = type === undefined ? '' : ' WHERE s.type = @type';
    const total = Number(this.statement(type === undefined ? 'SELECT coalesce(sum(count), 0) AS n FROM type_counts' : 'SELECT coalesce(sum(count), 0) AS n FROM type_counts WHERE type = @type').get(params)!['n']);
    let rows: SqliteRow[];
    if (total <= NEAR_MISS_CANDIDATES) {
      rows = this.statement(`SELECT ${RANKED_COLUMNS} FROM sneks s${filter}`).all(params);
    } else {
      const grams = windows(search.folded);
      if (grams.length === 0) return [];
      // Ranking every row that holds a common trigram ("nek" at 1M sneks) would cost a bm25 for each.
      const rare = this.rareGrams(grams);
      params['match'] = rare.length > 0 ? rare.map(quoted).join(' OR ') : grams.map(quoted).join(' AND ');
      params['cap'] = NEAR_MISS_CANDIDATES;
      const ranking = rare.length > 0 ? ' ORDER BY rank' : '';
      rows = this.statement(`SELECT ${RANKED_COLUMNS} FROM (SELECT rowid FROM sneks_fts WHERE sneks_fts MATCH @match${ranking} LIMIT @cap) f CROSS JOIN sneks s ON s.rid = f.rowid${filter}`).all(params);
    }
    // Ranked on id, name and type alone; only the page's few rows are read whole.
    const page = ranked(search, rows.map(partial), 4)
      .filter((item) => after === undefined || compareRanks(item.rank, after) > 0)
      .sort((a, b) => compareRanks(a.rank, b.rank))
      .slice(0, need);
    const whole = this.statement(`SELECT ${COLUMNS} FROM sneks s WHERE s.id = @id`);
    return page.map(({ snek, rank }) => ({ snek: toSnek(whole.get({ id: snek.id })!), rank }));
  }
}

/** A candidate's id, name and type, as searchRank reads them. */
const partial = (row: SqliteRow): Snek => ({ id: row['id'] as string, name: row['name'] as string, type: row['type'] as string, content: '' });

/** Each row with core's rank; a row whose rank is not `tier` belongs to another tier's walk and is left to it. */
function ranked(search: PreparedSearch, rows: SqliteRow[], tier: SearchTier): Found {
  const found: Found = [];
  for (const row of rows) {
    const snek = toSnek(row);
    const rank = searchRank(search, snek);
    if (rank?.tier === tier) found.push({ snek, rank });
  }
  return found;
}
