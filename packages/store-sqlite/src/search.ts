import { MAX_LIST_LIMIT, compareKeys, naturalKeyOfFolded, compareRanks, prepareSearch, searchRank, type PreparedSearch, type SearchPage, type SearchQuery, type SearchRank, type SearchTier, type Snek } from '@snek/core';
import type { SqliteConnection, SqliteRow, SqliteStatement } from './driver.js';
import { nameKeyRanges } from './name-key-ranges.js';
import { filledUp, nearMissGrams, pairsSql, rowsByPairs } from './near-misses.js';
import { chosenAmong, parsed, sketch } from './fts-text.js';
import { toSnek } from './statements.js';
import { TrigramCounts, quoted } from './trigram-counts.js';

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
 * many rows, not its whole list) is kept across writes (see TrigramCounts).
 */
const COMMON_FACTOR = 4;
/** A sparse tier's candidates are the rows holding this many of the text's rarest trigrams (see candidates). */
const SPARSE_GRAMS = 3;

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
const HOLDING = 'SELECT text FROM sneks_fts WHERE sneks_fts MATCH @match AND instr(text, @q) > 0';
/** The text prepared, with the natural key of an exact match (tier 0). */
type Search = PreparedSearch & { key: string };
type Found = Array<{ snek: Snek; rank: SearchRank }>;

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
  // What HOLDING named in this search, by sample and match.
  private held = new Map<string, string[]>();
  private readonly limits: SearchLimits;
  private readonly counts: TrigramCounts;

  constructor(
    private readonly db: SqliteConnection,
    limits: Partial<SearchLimits> = {},
  ) {
    this.limits = { ...SEARCH_LIMITS, ...limits };
    this.counts = new TrigramCounts(db);
  }

  search(query: SearchQuery): SearchPage {
    try {
      this.counts.refresh();
      return this.tiers(query);
    } finally {
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
   * FTS_TEXT (folded name, id) of HOLDING's rows, the first `sample` of them when given: tiers 2 and 3 of one search
   * ask the same, and the FTS lists are read once.
   */
  private holding(match: string, q: string, sample?: number): string[] {
    const key = `${sample ?? ''} ${match}`;
    let texts = this.held.get(key);
    if (texts === undefined) {
      const sql = `SELECT json_group_array(text) AS texts FROM (${HOLDING}${sample === undefined ? '' : ' LIMIT @sample'})`;
      this.held.set(key, (texts = JSON.parse(this.statement(sql).get(sample === undefined ? { match, q } : { match, q, sample })!['texts'] as string) as string[]));
    }
    return texts;
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
    if (candidates.kind === 'sparse') return this.amongHeld(tier, folded, type, this.holding(candidates.match, folded), after, need);
    const walked = after ? past : window;
    const walk = `FROM sneks s${walked.length ? ` WHERE ${walked.join(' AND ')}` : ''} ORDER BY s.name_key, s.id`;
    const bound = { ...base, ...(after ? { key: after.key, id: after.id } : {}), bound: this.limits.scanBound };
    const rows = this.statement(`SELECT ${COLUMNS} FROM (SELECT * ${walk} LIMIT @bound) s WHERE ${filter} ORDER BY s.name_key, s.id LIMIT @n`).all({ ...bound, q: folded, n: need });
    if (rows.length >= need || candidates.match === undefined) return rows;
    // The page is short: the walk's last row (none when the walk reached the end, and so saw every row after `after`).
    const last = this.statement(`SELECT s.name_key, s.id ${walk} LIMIT 1 OFFSET @bound - 1`).get(bound);
    if (!last) return rows;
    // Only rows past the walk, so that the page stays in name order after its cursor.
    const from = { key: last['name_key'] as string, id: last['id'] as string };
    return [...rows, ...this.amongHeld(tier, folded, type, this.holding(candidates.match, folded, this.limits.denseSample), from, need - rows.length)];
  }

  /**
   * The rows of `tier` among `texts` (of HOLDING), past `from`, in (name_key, id) order, at most `need`. The texts
   * tell each row's folded name and id, so without a type the page is chosen from them and only its rows are read:
   * at a million sneks, the 4,000 rows holding "170", read from sneks to be sorted, cost 8-20 ms.
   */
  private amongHeld(tier: 2 | 3, folded: string, type: string | undefined, texts: string[], from: { key: string; id: string } | undefined, need: number): SqliteRow[] {
    if (type === undefined) return this.rowsOf(chosenAmong(texts, tier, folded, from, need));
    // The trigram index has no types: the rows are read and checked in SQL.
    const where = [TIER_SQL[tier], 's.type = @type', ...(from ? ['(s.name_key, s.id) > (@key, @id)'] : [])];
    const params = { type, q: folded, n: need, ids: JSON.stringify(texts.map((text) => parsed(text).id)), ...(from ? { key: from.key, id: from.id } : {}) };
    return this.statement(`SELECT ${COLUMNS} FROM json_each(@ids) f CROSS JOIN sneks s ON s.id = f.value WHERE ${where.join(' AND ')} ORDER BY s.name_key, s.id LIMIT @n`).all(params);
  }

  /** The rows of these ids, in their order; an id with no row is left out. */
  private rowsOf(ids: string[]): SqliteRow[] {
    if (ids.length === 0) return [];
    return this.statement(`SELECT ${COLUMNS} FROM json_each(@ids) f CROSS JOIN sneks s ON s.id = f.value ORDER BY f.key`).all({ ids: JSON.stringify(ids) });
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
    const counts = grams.map((gram) => this.counts.count(gram, cap));
    if (counts.includes(0)) return { kind: 'none' };
    if (!counts.some((n) => n <= this.limits.denseCandidates)) return { kind: 'dense', match: grams.map(quoted).join(' AND ') };
    // The rarest few, never the common ones: AND-ing a trigram of every row reads its whole list (1M rows) for nothing,
    // and past the third rarest a list rarely spares more rows (their text checked) than it costs to read: "wavy noodle
    // 866727" read 100,000 postings of nine lists for the 1 row that three of 4,000 postings name.
    const rarest = grams.map((gram, i) => ({ gram, n: counts[i]! })).filter(({ n }) => n < cap).sort((a, b) => a.n - b.n);
    return { kind: 'sparse', match: rarest.slice(0, SPARSE_GRAMS).map(({ gram }) => quoted(gram)).join(' AND ') };
  }

  /** What a trigram is counted up to: past it, a trigram is common. */
  private countCap(): number {
    return COMMON_FACTOR * this.limits.denseCandidates + 1;
  }

  /**
   * The rowids of the near-miss candidates: the rows holding the most pairs of the chosen trigrams, then, when those
   * are too few, the first rows of each trigram (a count of every row holding any one of them grouped 16,000 rows for
   * "snek number 123456").
   */
  private nearMissRows(folded: string, total: number): number[] {
    const grams = windows(folded);
    const cap = this.countCap();
    const counts = new Map(grams.map((gram) => [gram, this.counts.count(gram, cap)]));
    const chosen = nearMissGrams(folded, grams, counts, { cap, reads: this.limits.nearMissReads, total });
    if (chosen.length === 0) return [];
    const limit = this.limits.nearMissCandidates;
    let rows: number[] = [];
    if (chosen.length > 1) {
      const pairs = pairsSql(chosen);
      rows = rowsByPairs(this.statement(pairs.sql).get(pairs.params)!, limit);
    }
    // Too few: the first rows of each chosen trigram, then of the commoner ones, rarest first (at 10,000 sneks the
    // digits of "snek number 133" name 120 rows, and "r 1" the rest of a page of sneks as near as they).
    const first = this.statement('SELECT json_group_array(rowid) AS ids FROM (SELECT rowid FROM sneks_fts WHERE sneks_fts MATCH @match LIMIT @limit)');
    const commoner = grams.filter((gram) => counts.get(gram)! > 0 && !chosen.includes(gram)).sort((a, b) => counts.get(a)! - counts.get(b)!);
    for (const gram of [...chosen, ...commoner]) {
      if (rows.length >= limit) break;
      rows = filledUp(rows, JSON.parse(first.get({ match: quoted(gram), limit })!['ids'] as string) as number[], limit);
    }
    return rows;
  }

  /** Tier 4: candidates ranked in JS, sorted by compareRanks, those after `after` kept. */
  private nearMisses(search: PreparedSearch, type: string | undefined, after: SearchRank | undefined, need: number): Found {
    if (search.grams.size === 0) return [];
    const types = this.statement('SELECT type, count FROM type_counts').all();
    const total = types.reduce((sum, row) => sum + Number(row['count']), 0);
    const ofType = type === undefined ? total : Number(types.find((row) => row['type'] === type)?.['count'] ?? 0);
    const params: Params = type === undefined ? {} : { type };
    const filter = type === undefined ? '' : ' WHERE s.type = @type';
    if (ofType <= this.limits.nearMissCandidates) return this.whole(pageOf(ranked(search, this.statement(`SELECT ${RANKED_COLUMNS} FROM sneks s${filter}`).all(params).map(partial), 4), after, need));
    const rids = JSON.stringify(this.nearMissRows(search.folded, total));
    if (type !== undefined || types.some((row) => (row['type'] as string).includes(search.folded))) {
      const rows = this.statement(`SELECT ${RANKED_COLUMNS} FROM json_each(@rids) f CROSS JOIN sneks s ON s.rid = f.value${filter}`).all({ ...params, rids });
      return this.whole(pageOf(ranked(search, rows.map(partial), 4), after, need));
    }
    // No type holds the text, so the trigram index's own text (folded name, id) ranks every candidate as its row
    // would; only the page's rows are read from sneks, and ranked again there. The candidates are spread over the
    // whole table: at a million sneks, reading 500 of them from sneks cost 4-7 ms, from the trigram index 1.5 ms.
    const sketches = this.statement('SELECT t.text FROM json_each(@rids) f CROSS JOIN sneks_fts t ON t.rowid = f.value').all({ rids }).map(sketch);
    const chosen = this.whole(pageOf(ranked(search, sketches, 4), after, need));
    return pageOf(chosen.flatMap(({ snek }) => ranked(search, [snek], 4)), after, need);
  }

  /** The rows of `page`'s sneks, each whole, in its order; a snek gone since is left out. */
  private whole(page: Found): Found {
    const rows = new Map(this.rowsOf(page.map(({ snek }) => snek.id)).map((row) => [row['id'] as string, toSnek(row)]));
    return page.flatMap(({ snek, rank }) => (rows.has(snek.id) ? [{ snek: rows.get(snek.id)!, rank }] : []));
  }
}

/** Those after `after` (when given), in rank order, at most `need`. */
function pageOf(found: Found, after: SearchRank | undefined, need: number): Found {
  return found.filter((item) => after === undefined || compareRanks(item.rank, after) > 0).sort((a, b) => compareRanks(a.rank, b.rank)).slice(0, need);
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
