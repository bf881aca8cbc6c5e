import pg from 'pg';
import { NEAR_MISS_SAMPLE_ABOVE, SAMPLE_ABOVE, type SearchSample } from './search-sample.js';
import { containsPattern, startsPattern, type SampledStatements } from './sampled-statements.js';
import { MAX_SEARCH_LENGTH, NEAR_MISS_SIMILARITY, RUN_LENGTH_DIGITS, compareKeys, naturalKeyOfFolded, prefixEnd, compareRanks, prepareSearch, searchRank, type SearchPage, type SearchQuery, type SearchRank, type SearchTier, type Snek } from '@snek/core';

/** How search reaches PostgreSQL: `plan` runs one statement unnamed, so it is planned for these values (how
 * selective a prefix is, say); `script` runs statements with literals in one round trip and one transaction. */
export interface SearchDatabase {
  plan<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<{ rows: R[] }>;
  script<R extends pg.QueryResultRow>(text: string): Promise<{ rows: R[] }>;
}

const { escapeLiteral } = pg;

/**
 * A store with a search sample (more than NEAR_MISS_SAMPLE_ABOVE sneks, search-sample.ts) reads near misses from rare
 * pieces of the text, and, above SAMPLE_ABOVE, tiers 0–3 too, where it can (sampledStatements). Otherwise near
 * misses (tier 4) are read in bands of similarity, highest first (NEAR_MISS_BANDS, down to core's 0.3): a band
 * that holds enough for the page ends the search, so a dense text ranks a few names, not all of them. A band read
 * stops at NEAR_MISS_CANDIDATES rows: when one band holds more, the page is the best of those it read, not of all.
 * Without an index for them (no pg_trgm, or a text with no run of three letters or digits for tier 2) a tier reads
 * at most FALLBACK_SCAN sneks past the cursor: a store larger than that may miss some of those results.
 */
export const NEAR_MISS_CANDIDATES = NEAR_MISS_SAMPLE_ABOVE;
const NEAR_MISS_BANDS = [0.9, 0.7, 0.5, NEAR_MISS_SIMILARITY];
export const FALLBACK_SCAN = 10_000;
// What pg_trgm can find by index in LIKE '%text%': a run of three word characters.
const INDEXABLE = /[\p{L}\p{N}]{3}/u;

// Ids and types are slugs: a text with any other character is in neither.
const SLUG_TEXT = /^[a-z0-9._-]+$/;


/**
 * What the key of every name that starts with `folded` starts with: its naturalKeyOfFolded, when it ends with a non-digit (each
 * run of digits in it is whole in the name too); else that of the text before its last run, and "0", which the
 * key of every run starts with (the run may go on in the name, so its length is not known).
 */
export function keyPrefix(folded: string): string {
  const last = /[0-9]+$/.exec(folded);
  return last ? `${naturalKeyOfFolded(folded.slice(0, last.index))}0` : naturalKeyOfFolded(folded);
}


/**
 * The statements of search(), one per tier, for one escaped schema and pg_trgm's escaped schema (undefined
 * without it). Tiers 0–3 read in their order, (name_key, id), by keyset from $1, $2, at most $3 rows; $4 is the
 * folded text. Each tier's condition is searchRank's, in SQL; the indexes only find rows faster.
 */
export function searchStatements(schema: string, trigram: string | undefined) {
  const sneks = `${schema}.sneks`;
  const tier = (where: string, typeAt: number) => [
    `SELECT id, name, type, content FROM ${sneks} s WHERE ${where} AND (s.name_key, s.id) > ($1, $2) ORDER BY s.name_key, s.id LIMIT $3`,
    `SELECT id, name, type, content FROM ${sneks} s WHERE ${where} AND (s.name_key, s.id) > ($1, $2) AND s.type = $${typeAt} ORDER BY s.name_key, s.id LIMIT $3`,
  ];
  const contains = `strpos(s.name_folded, $4) > 0`;
  // Tiers 0 and 1 are ranges of (name_key, id), in order: the key of a name is naturalKeyOfFolded of its folded name, so a
  // name equal to the text has the key naturalKeyOfFolded(text), and one that starts with it a key that starts with keyPrefix
  // (see there; $5, and $6 its end or null); the folded name is the condition itself. Plain ranges, not starts_with(), which the planner cannot
  // estimate: it would take the range for a few rows and sort a million of them rather than read 51 in order.
  const starts = `s.name_key >= $5 AND (s.name_key < $6 OR $6::text IS NULL AND starts_with(s.name_key, $5)) AND starts_with(s.name_folded, $4) AND s.name_folded <> $4`;
  // Tier 3's ids by pg_trgm ($5 the LIKE pattern) or a scan; its types from the type counts ($6, those that contain the text).
  const idOrType = trigram ? `((s.id LIKE $5 AND strpos(s.id, $4) > 0) OR s.type = ANY($6::text[]))` : `(strpos(s.id, $4) > 0 OR s.type = ANY($6::text[])) AND $5::text IS NOT NULL`;
  const notAbove = `NOT strpos(s.name_folded, $1) > 0 AND NOT (strpos(s.id, $1) > 0 OR s.type = ANY($2::text[]))`;
  // A bounded walk in (name_key, id) order from the cursor, for a tier with no index to find it.
  const scan = (where: string, typeAt: number) => tier(`${where} AND (s.name_key, s.id) IN (SELECT k.name_key, k.id FROM ${sneks} k WHERE (k.name_key, k.id) > ($1, $2)${typeAt ? ` AND k.type = $${typeAt}` : ''} ORDER BY k.name_key, k.id LIMIT ${FALLBACK_SCAN})`, typeAt);
  const scanBoth = (where: string, typeAt: number) => [scan(where, 0)[0]!, scan(where, typeAt)[1]!];
  return {
    trigram: trigram !== undefined,
    exact: tier(`s.name_key = $5 AND s.name_folded = $4`, 6),
    starts: tier(starts, 7),
    // A text that ends with digits: keyPrefix stops before them, so the range may hold every name ("Snek 123456":
    // all of "snek 0…"). LIKE 'text%' ($7) lets the planner find the few by pg_trgm instead, when they are few.
    startsDigits: trigram ? tier(`${starts} AND s.name_folded LIKE $7`, 8) : tier(starts, 7),
    // pg_trgm's GIN index serves LIKE '%text%' ($5); strpos is the condition itself.
    inside: trigram ? tier(`s.name_folded LIKE $5 AND ${contains} AND NOT starts_with(s.name_folded, $4)`, 6) : undefined,
    insideScan: scanBoth(`${contains} AND NOT starts_with(s.name_folded, $4) AND $5::text IS NOT NULL`, 6),
    idOrType: trigram ? tier(`NOT ${contains} AND ${idOrType}`, 7) : scanBoth(`NOT ${contains} AND ${idOrType}`, 7),
    // Trigram: a band (nearMissBand); without: the first FALLBACK_SCAN by id, all ranked here.
    nearMissScan: [`SELECT id, name, type, content FROM ${sneks} s WHERE ${notAbove} ORDER BY s.id LIMIT ${FALLBACK_SCAN}`, `SELECT id, name, type, content FROM ${sneks} s WHERE ${notAbove} AND s.type = $3 ORDER BY s.id LIMIT ${FALLBACK_SCAN}`],
    nearMissBand: trigram
      ? (q: string, types: string[], type: string | undefined, least: number, most: number) => `SET LOCAL pg_trgm.similarity_threshold = ${least};
        SELECT id, name, type, content FROM ${sneks} s WHERE s.name_folded OPERATOR(${trigram}.%) ${escapeLiteral(q)} AND ${trigram}.similarity(s.name_folded, ${escapeLiteral(q)}) <= ${most + 1e-6}
          AND ${notAbove.replaceAll('$1', escapeLiteral(q)).replace('$2::text[]', `ARRAY[${types.map(escapeLiteral).join(', ')}]::text[]`)}${type === undefined ? '' : ` AND s.type = ${escapeLiteral(type)}`} LIMIT ${NEAR_MISS_CANDIDATES}`
      : undefined,
  };
}

export type SearchStatements = ReturnType<typeof searchStatements>;

/**
 * With a sample (a store of more than SAMPLE_ABOVE sneks): a tier whose rarest run of the text is in at most
 * RARE_ROWS names reads the rows holding that run (one or a few of pg_trgm's posting lists) and sorts them; a denser
 * tier 2 walks the name order instead, DENSE_WALK (sampled-statements.ts) rows at most per walk.
 */
export const RARE_ROWS = 20_000;
/** Tier 1 of a text ending in digits reads this many lengths of the run each as a range of keys, then the longer ones as one. */
export const RUN_RANGES = 8;
/** Tier 1 reads those ranges only when the text's rarest run is in more than this many names: reading fewer costs less than planning them. */
export const RANGES_ABOVE = 1000;
/** A dense walk starts where the sample's next match is when at least this many sampled rows before it hold none. */
export const SKIP_AFTER = 20;
/** Near-miss candidates: the rows holding the text's rarest pieces, about this many by the sample, at most twice. */
export const NEAR_MISS_BUDGET = 2000;
// The start of a text's last word.
const LAST_WORD = /[\p{L}\p{N}]+[^\p{L}\p{N}]*$/u;
/** When those give less than a page too: NEAR_MISS_CANDIDATES of the rows holding the next rarest piece, if it is in at most this many names. */
export const WIDER_ROWS = 50_000;


/** `text` with its parameters written in as literals, for a script: strings quoted, arrays as text[] literals. */
export function inlined(text: string, values: unknown[]): string {
  const literal = (value: unknown): string => {
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'number') return String(value);
    if (Array.isArray(value)) return escapeLiteral(`{${value.map((item) => `"${String(item).replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
    return escapeLiteral(String(value));
  };
  return text.replace(/\$(\d+)/g, (_, at: string) => literal(values[Number(at) - 1]));
}

/**
 * Tier by tier from the cursor's, each read in rank order by keyset, until the page is full: a dense text ("snek",
 * in every name) reads one page of tier 1 from the index and stops. Only near misses are ranked by score here, of
 * at most NEAR_MISS_CANDIDATES. searchRank gives every result its rank, as rankSneks would.
 */
export async function searchTiers(
  db: SearchDatabase,
  sql: SearchStatements,
  query: SearchQuery,
  allTypes: () => Promise<string[]>,
  sampled?: { sql: SampledStatements; sample: () => Promise<SearchSample | undefined> },
): Promise<SearchPage> {
  const search = prepareSearch(query.q);
  const q = search.folded;
  // Longer than the contract allows (the server refuses it first): no name is that long.
  if (q === '' || query.q.length > MAX_SEARCH_LENGTH) return { items: [], more: false };
  const plan = <R extends pg.QueryResultRow>(_method: string, text: string, values: unknown[]) => db.plan<R>(text, values);
  // Tiers 0 and 1 read a range of (name_key, id) in order. Without statistics (a store never analyzed) the planner
  // takes any range for a few rows, and would collect a million into a bitmap and sort them rather than walk the
  // index and stop at the page; a sampled (large) store rules bitmaps out for them.
  const ranged = async <R extends pg.QueryResultRow>(text: string, values: unknown[]) =>
    (await sample()) ? db.script<R>(`SET LOCAL enable_bitmapscan = off;\n${inlined(text, values)}`) : db.plan<R>(text, values);
  const typed = query.type === undefined ? [] : [query.type];
  const variant = typed.length;
  const want = query.limit + 1;
  const found: Array<{ snek: Snek; rank: SearchRank }> = [];
  let types: string[] | undefined;
  const typesWith = async () => (types ??= SLUG_TEXT.test(q) ? (await allTypes()).filter((type) => type.includes(q)) : []);
  const keep = (rows: Snek[], tier: SearchTier) => {
    for (const snek of rows) {
      const rank = searchRank(search, snek);
      if (rank?.tier === tier && (query.after === undefined || compareRanks(rank, query.after) > 0)) found.push({ snek, rank });
    }
  };
  // The store's sample, for near misses; tiers 0–3 use it only above SAMPLE_ABOVE sneks.
  const nearMissSample = async () => (sql.trigram && sampled ? await sampled.sample() : undefined);
  const sample = async () => {
    const held = await nearMissSample();
    return held && held.total > SAMPLE_ABOVE ? held : undefined;
  };
  // The rarest run of the text, when the sample says few names hold it (then so do few of those that contain the text).
  const rareRun = async () => {
    const rarest = (await sample())?.rarestRun(q);
    return rarest && rarest.rows <= RARE_ROWS ? rarest.run : undefined;
  };
  // Tier 2 in name order: one bounded walk from the cursor, and when that ends short, one more from where the sample
  // says the next matches begin; straight from there when the sample saw a long run of rows without one (so many
  // ahead of "snek number" at a million sneks that a walk from the cursor finds nothing). The rows between are not
  // read: a match among them is missed.
  const denseWalk = async (held: SearchSample, from: string[]) => {
    const walk = async (at: string[]) => (await plan<Snek>('search', sampled!.sql.walk(query.type), [at[0], at[1], q, want - found.length])).rows;
    const next = held.jump({ key: from[0]!, id: from[1]! }, (name) => name.includes(q) && !name.startsWith(q));
    if (next !== undefined && next !== 'none' && next.skipped >= SKIP_AFTER) return walk([next.key, next.id]);
    const rows = await walk(from);
    if (rows.length >= want - found.length) return rows;
    if (next === undefined || next === 'none') return rows;
    const seen = new Set(rows.map((row) => row.id));
    return [...rows, ...(await walk([next.key, next.id])).filter((row) => !seen.has(row.id))];
  };
  // Tier 4 from the rows holding the text's rarest pieces (and, when those give less than a page, some of those holding
  // the next piece); false when even the rarest piece is common, or there is no sample: then the bands below.
  const nearMissCandidates = async () => {
    const held = await nearMissSample();
    const pieces = held?.rarePieces(q, NEAR_MISS_BUDGET) ?? [];
    if (!held) return false;
    const before = found.length;
    const asked = { q, types: await typesWith(), type: query.type, after: query.after };
    // A few more than the page, for a name searchRank scores apart from pg_trgm (letters beyond ASCII).
    const limit = want - before + 16;
    const rows = pieces.length === 0 ? [] : (await db.script<Snek>(sampled!.sql.nearMisses(pieces, asked, 2 * NEAR_MISS_BUDGET, limit))).rows;
    const seen = new Set(rows.map((row) => row.id));
    const add = (more: Snek[]) => {
      for (const row of more) if (!seen.has(row.id)) (seen.add(row.id), rows.push(row));
    };
    const beyond = before + rows.length < want && (pieces.length === 0 || held.nearMissBeyond(q, search.grams, pieces));
    // Too few from the rare pieces, and more near misses elsewhere: first the names beside the text in name order
    // that share its words but the last, which differ from it in that word alone (when the sample holds such names),
    // as many each way as the page wants.
    const lead = q.slice(0, LAST_WORD.exec(q)?.index ?? 0);
    if (beyond && /[\p{L}\p{N}]/u.test(lead) && held.names.some((name) => name.folded.startsWith(lead))) {
      const start = naturalKeyOfFolded(lead);
      add((await db.script<Snek>(sampled!.sql.neighbours(asked, naturalKeyOfFolded(q), start, prefixEnd(start), limit, limit))).rows);
    }
    if (beyond && before + rows.length < want) {
      // Still too few: some of those holding the next piece, when it is not so common that reading its posting
      // lists costs more than the bands.
      const wider = held.nextPiece(q, pieces, WIDER_ROWS);
      // The next piece is too common to read: the near misses found are the page (the bands would read arbitrary
      // rows of the same similarity, and drop these, the nearest, at a million sneks).
      if (!wider && pieces.length === 0) return false;
      if (wider) add((await db.script<Snek>(sampled!.sql.nearMisses([wider], asked, NEAR_MISS_CANDIDATES, limit, held.rows(wider.text) >= held.total / 2))).rows);
    }
    keep(rows, 4);
    return true;
  };
  for (let tier = query.after?.tier ?? 0; tier <= 4 && found.length < want; tier++) {
    const from = query.after?.tier === tier ? [query.after.key, query.after.id] : ['', ''];
    const head = [...from, want - found.length, q];
    let read: { rows: Snek[] };
    if (tier === 0) read = await ranged<Snek>(sql.exact[variant]!, [...head, naturalKeyOfFolded(q), ...typed]);
    else if (tier === 1) {
      const prefix = keyPrefix(q);
      const digits = /[0-9]$/.test(q) && sql.trigram;
      const run = /[1-9][0-9]*$/.exec(q);
      const rarest = run && !/[0-9]/.test(q[run.index - 1] ?? '') ? await sample().then((held) => held && (held.rarestRun(q)?.rows ?? Infinity)) : undefined;
      if (run && rarest !== undefined && rarest > RANGES_ABOVE) {
        // A text that ends in digits (not starting with 0): a name that starts with it has a run of L of them or more
        // there, and its key starts with the key of the text before, "0", L in RUN_LENGTH_DIGITS digits, and the
        // digits. One range of keys per L from the text's own, in order; RUN_RANGES of them, then all longer runs in
        // one. "Snek number 320" at a million sneks: 3200–3209 and 32000–32037, where the rows holding "320" are 5,000
        // and the name order from "snek number 0" walks 100,000 before them. When the text's rarest run is in at most
        // RANGES_ABOVE names, reading them (tiers 1 and 2 at once, below) costs less than planning the ranges.
        const base = `${naturalKeyOfFolded(q.slice(0, run.index))}0`;
        const length = (n: number) => String(n).padStart(RUN_LENGTH_DIGITS, '0');
        const ranges = Array.from({ length: RUN_RANGES }, (_, i) => `${base}${length(run[0].length + i)}${run[0]}`).map((start) => ({ start, end: prefixEnd(start) }));
        ranges.push({ start: `${base}${length(run[0].length + RUN_RANGES)}`, end: prefixEnd(base) });
        const after = (start: string) => (compareKeys(from[0]!, start) < 0 ? [start, ''] : from);
        const before = found.length;
        keep((await db.script<Snek>(sampled!.sql.ranges(q, ranges.map((range) => ({ ...range, after: after(range.start) })), want - found.length, query.type))).rows, 1);
        found.splice(before, found.length - before, ...found.slice(before).sort((a, b) => compareRanks(a.rank, b.rank)));
        continue;
      }
      const rare = digits ? await rareRun() : undefined;
      if (rare) {
        // Tier 2 holds the rare run too: both tiers in one read, tier 1 first (from the cursor), then tier 2.
        const literal = escapeLiteral(q);
        const where = `strpos(s.name_folded, ${literal}) > 0 AND s.name_folded <> ${literal} AND (NOT starts_with(s.name_folded, ${literal}) OR (s.name_key, s.id) > (${escapeLiteral(from[0]!)}, ${escapeLiteral(from[1]!)}))`;
        const { rows } = await db.script<Snek>(sampled!.sql.rare(rare, where, `NOT starts_with(s.name_folded, ${literal}), `, want - found.length, query.type));
        keep(rows, 1);
        keep(rows, 2);
        tier = 2;
        continue;
      }
      // A cursor before the range starts at the range: btree starts a scan at the row comparison's key, and from
      // ('', '') would step over every key below the prefix (ids are never empty, so the rows are the same).
      const start = [...(compareKeys(from[0]!, prefix) < 0 ? [prefix, ''] : from), ...head.slice(2)];
      // Many names hold the text's rarest run: the range of keys, in order, finds a page sooner than pg_trgm.
      if (digits && (await sample())) {
        keep((await ranged<Snek>(sql.starts[variant]!, [...start, prefix, prefixEnd(prefix) ?? null, ...typed])).rows, 1);
        continue;
      }
      const values = [...start, prefix, prefixEnd(prefix) ?? null, ...(digits ? [startsPattern(q)] : [])];
      read = digits ? await plan<Snek>('search', sql.startsDigits[variant]!, [...values, ...typed]) : await ranged<Snek>(sql.starts[variant]!, [...values, ...typed]);
    } else if (tier === 2) {
      const rare = sql.inside && INDEXABLE.test(q) ? await rareRun() : undefined;
      const held = rare === undefined && sql.inside && INDEXABLE.test(q) ? await sample() : undefined;
      if (rare) {
        const cursor = `(s.name_key, s.id) > (${escapeLiteral(from[0]!)}, ${escapeLiteral(from[1]!)})`;
        read = await db.script<Snek>(sampled!.sql.rare(rare, `strpos(s.name_folded, ${escapeLiteral(q)}) > 0 AND NOT starts_with(s.name_folded, ${escapeLiteral(q)}) AND ${cursor}`, '', want - found.length, query.type));
      } else if (held) read = { rows: await denseWalk(held, from) };
      else read = await plan<Snek>('search', (sql.inside && INDEXABLE.test(q) ? sql.inside : sql.insideScan)[variant]!, [...head, containsPattern(q), ...typed]);
    } else if (tier === 3) {
      if (!SLUG_TEXT.test(q)) continue;
      const types = await typesWith();
      // Ids only (no type holds the text), of a sampled store: the rows pg_trgm finds, never a walk of the name order
      // that the planner, without statistics, can take for a few rows and check a million.
      if (types.length === 0 && INDEXABLE.test(q) && (await sample())) {
        const cursor = `(s.name_key, s.id) > (${escapeLiteral(from[0]!)}, ${escapeLiteral(from[1]!)})`;
        read = await db.script<Snek>(sampled!.sql.ids(q, `NOT strpos(s.name_folded, ${escapeLiteral(q)}) > 0 AND strpos(s.id, ${escapeLiteral(q)}) > 0 AND ${cursor}`, want - found.length, query.type));
      } else read = await plan<Snek>('search', sql.idOrType[variant]!, [...head, containsPattern(q), types, ...typed]);
    } else {
      // A text with no trigram is like no name (similarity 0), and pg_trgm would read its whole index to say so.
      if (search.grams.size === 0) continue;
      const before = found.length;
      const types = await typesWith();
      if (!sql.nearMissBand) keep((await plan<Snek>('search', sql.nearMissScan[variant]!, [q, types, ...typed])).rows, 4);
      else if (!(await nearMissCandidates())) {
        const most = query.after?.tier === 4 ? query.after.score : 1;
        // Each band holds the one above it; a band cut at NEAR_MISS_CANDIDATES rows holds some of it, so the rows of
        // every band read are kept: those of a band that was whole are the nearest, whatever the cut band read.
        const read = new Map<string, Snek>();
        for (const least of NEAR_MISS_BANDS.filter((band) => band < most || band === NEAR_MISS_SIMILARITY)) {
          const { rows } = await db.script<Snek>(sql.nearMissBand(q, types, query.type, least, most));
          for (const row of rows) read.set(row.id, row);
          found.splice(before);
          keep([...read.values()], 4);
          if (found.length >= want || rows.length >= NEAR_MISS_CANDIDATES) break;
        }
      }
      found.splice(before, found.length - before, ...found.slice(before).sort((a, b) => compareRanks(a.rank, b.rank)));
      continue;
    }
    keep(read.rows, tier as SearchTier);
  }
  return { items: found.slice(0, query.limit), more: found.length > query.limit };
}
