import { MAX_LIST_LIMIT, compareKeys, naturalKeyOfFolded, compareRanks, prepareSearch, searchRank, type PreparedSearch, type SearchPage, type SearchQuery, type SearchRank, type SearchTier, type Snek } from '@snek/core';
import type { SqliteConnection, SqliteRow, SqliteStatement } from './driver.js';
import { nameKeyRanges } from './name-key-ranges.js';
import { toSnek } from './statements.js';

/** How much each search may read: the defaults are for a million sneks; a test passes small ones to see scale at a few thousand. */
export interface SearchLimits {
  /**
   * Tiers 2 and 3 take their candidates from the trigram index when one of the text's trigrams is in at most this many
   * rows, and sort them in SQL (exact); past that the tier is dense (at 1M sneks, 1 row in 200 or more matches).
   */
  denseCandidates: number;
  /**
   * A dense tier (or a text under 3 characters) first walks the name order, at most this many rows per page: exact
   * when the page fills there, or when the walk reaches the end of the store.
   */
  scanBound: number;
  /**
   * When the walk leaves a dense tier's page short, the page is filled from the first this many rows (in FTS order)
   * holding every trigram of the text, sorted by name: real matches, in name order, after the walk and the cursor, but
   * not every match in between.
   */
  denseSample: number;
  /**
   * Near misses (tier 4) are ranked among at most this many candidates. A store of at most this many sneks (of the
   * type asked for) ranks every one, exactly as rankSneks does; past that the candidates are the rows holding the most
   * pairs of the text's rarer trigrams (see nearMissGrams).
   */
  nearMissCandidates: number;
  /**
   * The rarer trigrams are those counted exactly whose rows add up to at most this many: at 1M sneks a misspelt name's
   * digits ("123": 4,000 rows) and a noodle's adjective ("gru": 15,600) are among them, "nek" (every row) is not.
   */
  nearMissReads: number;
}

export const SEARCH_LIMITS: SearchLimits = { denseCandidates: 5000, scanBound: 500, denseSample: 500, nearMissCandidates: 500, nearMissReads: 30_000 };

/**
 * A trigram is counted up to this many times denseCandidates rows: past that it is common, and its count (reading that
 * many rows, not its whole list) is kept across searches.
 */
const COMMON_FACTOR = 4;
// A word as core's trigrams sees one.
const WORD = /[\p{L}\p{N}]+/gu;
/** Near misses are drawn from pairs of at most this many of the rarest trigrams: 15 pairs. */
const NEAR_MISS_GRAMS = 6;
/** How many common trigrams a search keeps the counts of (see SqliteSearch.common); more clear the lot. */
const COMMON_KEPT = 10_000;

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
/**
 * FTS rows matching @match whose text (folded name and id) holds @q: a match of tier 2 or 3 (when no type holds the
 * text) is one of them, and the FTS row is checked at a fraction of the cost of the snek's row.
 */
const HOLDING = 'SELECT rowid FROM sneks_fts WHERE sneks_fts MATCH @match AND instr(text, @q) > 0';
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
 * How a tier 2 or 3 finds its rows: none hold every trigram of the text; few do (`match` names them, sorted in SQL:
 * exact); or many (a walk of the name order, then, when `match` is given, a sample of its rows).
 */
type Candidates = { kind: 'none' } | { kind: 'sparse'; match: string } | { kind: 'dense'; match: string | undefined };

/**
 * search() of the sqlite store: tier by tier, each read in rank order from an index and stopped once the page is full,
 * so a text that matches every name costs a page, not a million ranks. Each row found is ranked by core's searchRank.
 */
export class SqliteSearch {
  private readonly statements = new Map<string, SqliteStatement>();
  // Trigram counts of this search, each with the cap it was counted to: tiers 2, 3 and 4 ask the same ones.
  private counted = new Map<string, { n: number; cap: number }>();
  // What HOLDING named in this search, by sample and match.
  private held = new Map<string, string>();
  private readonly limits: SearchLimits;
  /**
   * Trigrams found in at least so many rows, kept across searches ("nek" is in every row, and each search of
   * "snek number …" would count it again). Only a plan: a count kept here may be stale after writes, but a kept
   * trigram is merely left out of an AND or makes a tier dense, and every row is still checked; the counts that decide
   * that no row matches (0) are never kept.
   */
  private readonly common = new Map<string, number>();

  constructor(
    private readonly db: SqliteConnection,
    limits: Partial<SearchLimits> = {},
  ) {
    this.limits = { ...SEARCH_LIMITS, ...limits };
  }

  search(query: SearchQuery): SearchPage {
    try {
      return this.tiers(query);
    } finally {
      this.counted = new Map();
      this.held = new Map();
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
      const ranges = nameKeyRanges(search.folded);
      // A text ending in digits has a range per run length up to 100: those past the greatest key in them hold nothing.
      const ceiling = ranges.length > 1 ? this.ceiling(ranges[0]!.from, ranges.at(-1)!.to) : undefined;
      for (const range of ranges) {
        if (rows.length >= need || (ceiling !== undefined && (ceiling === null || compareKeys(range.from, ceiling) > 0))) break;
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
      rows.push(...this.contains(tier, search.folded, type, after, need));
    }
    return ranked(search, rows, tier);
  }

  /**
   * The rowids (a JSON array) of HOLDING, the first `sample` of them when given: tiers 2 and 3 of one search ask the
   * same, and the FTS lists are read once.
   */
  private holding(match: string, q: string, sample?: number): string {
    const key = `${sample ?? ''} ${match}`;
    let ids = this.held.get(key);
    if (ids === undefined) {
      const sql = `SELECT json_group_array(rowid) AS ids FROM (${HOLDING}${sample === undefined ? '' : ' LIMIT @sample'})`;
      this.held.set(key, (ids = this.statement(sql).get(sample === undefined ? { match, q } : { match, q, sample })!['ids'] as string));
    }
    return ids;
  }

  /** The greatest name key in [from, to), or null when there is none. */
  private ceiling(from: string, to: string | undefined): string | null {
    const sql = `SELECT max(name_key) AS k FROM sneks WHERE name_key >= @from${to === undefined ? '' : ' AND name_key < @to'}`;
    return (this.statement(sql).get(to === undefined ? { from } : { from, to })!['k'] as string | null) ?? null;
  }

  /** Tiers 2 and 3: from the few candidates of the trigram index, or, when they are many, a walk and then a sample. */
  private contains(tier: 2 | 3, folded: string, type: string | undefined, after: SearchRank | undefined, need: number): SqliteRow[] {
    const candidates = this.candidates(tier, folded, type);
    if (candidates.kind === 'none') return [];
    const filter = TIER_SQL[tier];
    // node:sqlite refuses a parameter its statement does not name: each statement gets its own.
    const base: Params = type === undefined ? {} : { type };
    const window = type === undefined ? [] : ['s.type = @type'];
    const past = [...window, '(s.name_key, s.id) > (@key, @id)'];
    const cursor: Params = after ? { key: after.key, id: after.id } : {};
    if (candidates.kind === 'sparse') {
      const params = { ...base, ...cursor, q: folded, n: need, ids: this.holding(candidates.match, folded) };
      return this.statement(`SELECT ${COLUMNS} FROM json_each(@ids) f CROSS JOIN sneks s ON s.rid = f.value WHERE ${[filter, ...(after ? past : window)].join(' AND ')} ORDER BY s.name_key, s.id LIMIT @n`).all(params);
    }
    const walked = after ? past : window;
    const walk = `FROM sneks s${walked.length ? ` WHERE ${walked.join(' AND ')}` : ''} ORDER BY s.name_key, s.id`;
    const bound = { ...base, ...cursor, bound: this.limits.scanBound };
    const rows = this.statement(`SELECT ${COLUMNS} FROM (SELECT * ${walk} LIMIT @bound) s WHERE ${filter} ORDER BY s.name_key, s.id LIMIT @n`).all({ ...bound, q: folded, n: need });
    if (rows.length >= need || candidates.match === undefined) return rows;
    // The page is short: the walk's last row (none when the walk reached the end, and so saw every row after `after`).
    const last = this.statement(`SELECT s.name_key, s.id ${walk} LIMIT 1 OFFSET @bound - 1`).get(bound);
    if (!last) return rows;
    // Only rows past the walk, so that the page stays in name order after its cursor.
    const sampled = { ...base, key: last['name_key'] as string, id: last['id'] as string, q: folded, n: need - rows.length, ids: this.holding(candidates.match, folded, this.limits.denseSample) };
    return [...rows, ...this.statement(`SELECT ${COLUMNS} FROM json_each(@ids) f CROSS JOIN sneks s ON s.rid = f.value WHERE ${[filter, ...past].join(' AND ')} ORDER BY s.name_key, s.id LIMIT @n`).all(sampled)];
  }

  /**
   * How tier 2 or 3 finds its rows. A text too short for trigrams, or, in tier 3, one that a type holds (the FTS table
   * has no types), is walked without a sample; a trigram in no row means no match.
   */
  private candidates(tier: 2 | 3, folded: string, type: string | undefined): Candidates {
    const grams = windows(folded);
    if (grams.length === 0) return { kind: 'dense', match: undefined };
    if (tier === 3 && this.statement('SELECT type FROM type_counts').all().some((row) => (row['type'] as string).includes(folded) && (type === undefined || row['type'] === type))) return { kind: 'dense', match: undefined };
    const cap = this.countCap();
    const counts = grams.map((gram) => this.count(gram, cap));
    if (counts.includes(0)) return { kind: 'none' };
    if (!counts.some((n) => n <= this.limits.denseCandidates)) return { kind: 'dense', match: grams.map(quoted).join(' AND ') };
    // Not the common ones: AND-ing a trigram of every row reads its whole list (1M rows) for nothing, while one of a
    // few thousand rows ("gru") costs little and spares checking rows that lack it.
    return { kind: 'sparse', match: grams.filter((_, i) => counts[i]! < cap).map(quoted).join(' AND ') };
  }

  /** What a trigram is counted up to: past it, a trigram is common. */
  private countCap(): number {
    return COMMON_FACTOR * this.limits.denseCandidates + 1;
  }

  /** How many rows hold `gram`, counted up to `cap`: a count below the cap is exact. */
  private count(gram: string, cap: number): number {
    const known = this.counted.get(gram);
    if (known && (known.n < known.cap || known.cap >= cap)) return Math.min(known.n, cap);
    if ((this.common.get(gram) ?? 0) >= cap) return cap;
    const n = Number(this.statement('SELECT count(*) AS n FROM (SELECT 1 FROM sneks_fts WHERE sneks_fts MATCH @match LIMIT @cap)').get({ match: quoted(gram), cap })!['n']);
    this.counted.set(gram, { n, cap });
    if (n === cap) {
      if (this.common.size >= COMMON_KEPT) this.common.clear();
      this.common.set(gram, cap);
    }
    return n;
  }

  /**
   * The trigrams whose rows near misses are drawn from, at most NEAR_MISS_GRAMS, of those counted exactly (below the
   * cap tiers 2 and 3 count to) while their rows add up to at most nearMissReads: first the rarest of each word, then
   * the rest, rarest first ("grumpy nodle 999999": "999" and "gru", so a pair names Grumpy noodles with those digits);
   * when none is counted exactly, the rarest one (then its first rows only).
   */
  private nearMissGrams(folded: string): string[] {
    const grams = windows(folded);
    const cap = this.countCap();
    const counts = new Map(grams.map((gram) => [gram, this.count(gram, cap)]));
    const rarest = grams.filter((gram) => counts.get(gram)! > 0).sort((a, b) => counts.get(a)! - counts.get(b)!);
    const words = [...folded.matchAll(WORD)].map(([word]) => rarest.find((gram) => word.includes(gram))).filter((gram) => gram !== undefined);
    const chosen: string[] = [];
    let sum = 0;
    for (const gram of [...new Set([...words.sort((a, b) => counts.get(a)! - counts.get(b)!), ...rarest])]) {
      const n = counts.get(gram)!;
      if (chosen.length === NEAR_MISS_GRAMS) break;
      if (n < cap && sum + n <= this.limits.nearMissReads) chosen.push(gram), (sum += n);
    }
    return chosen.length > 0 ? chosen : rarest.slice(0, 1);
  }

  /**
   * SQL for the rowids of the near-miss candidates, its parameters set in `params`: the rows holding the most pairs of
   * the chosen trigrams (a pair's AND reads two short lists and names few rows; a count of every row holding any one of
   * them grouped 16,000 rows for "snek number 123456"), then, when those are too few, the rarest one's first rows.
   */
  private nearMissRows(grams: string[], params: Params): string {
    params['cap'] = this.limits.nearMissCandidates;
    params['g0'] = quoted(grams[0]!);
    const rarest = 'SELECT rowid, 0 AS pairs FROM (SELECT rowid FROM sneks_fts WHERE sneks_fts MATCH @g0 LIMIT @cap)';
    if (grams.length === 1) return rarest;
    const pairs: string[] = [];
    const chosen = grams.slice(0, NEAR_MISS_GRAMS);
    chosen.forEach((a, i) => chosen.slice(i + 1).forEach((b) => ((params[`p${pairs.length}`] = `${quoted(a)} AND ${quoted(b)}`), pairs.push(`SELECT rowid, 1 AS pairs FROM sneks_fts WHERE sneks_fts MATCH @p${pairs.length}`))));
    return `SELECT rowid FROM (${[...pairs, rarest].join(' UNION ALL ')}) GROUP BY rowid ORDER BY sum(pairs) DESC, rowid LIMIT @cap`;
  }

  /** Tier 4: candidates ranked in JS, sorted by compareRanks, those after `after` kept. */
  private nearMisses(search: PreparedSearch, type: string | undefined, after: SearchRank | undefined, need: number): Found {
    if (search.grams.size === 0) return [];
    const params: Params = {};
    if (type !== undefined) params['type'] = type;
    const filter = type === undefined ? '' : ' WHERE s.type = @type';
    const total = Number(this.statement(type === undefined ? 'SELECT coalesce(sum(count), 0) AS n FROM type_counts' : 'SELECT coalesce(sum(count), 0) AS n FROM type_counts WHERE type = @type').get(params)!['n']);
    let rows: SqliteRow[];
    if (total <= this.limits.nearMissCandidates) {
      rows = this.statement(`SELECT ${RANKED_COLUMNS} FROM sneks s${filter}`).all(params);
    } else {
      const grams = this.nearMissGrams(search.folded);
      if (grams.length === 0) return [];
      rows = this.statement(`SELECT ${RANKED_COLUMNS} FROM (${this.nearMissRows(grams, params)}) f CROSS JOIN sneks s ON s.rid = f.rowid${filter}`).all(params);
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
