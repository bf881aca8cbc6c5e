import pg from 'pg';
import { MAX_SEARCH_LENGTH, NEAR_MISS_SIMILARITY, naturalKeyOfFolded, prefixEnd, compareRanks, prepareSearch, searchRank, type SearchPage, type SearchQuery, type SearchRank, type SearchTier, type Snek } from '@snek/core';

/** How search reaches PostgreSQL: `plan` runs one statement unnamed, so it is planned for these values (how
 * selective a prefix is, say); `script` runs statements with literals in one round trip and one transaction. */
export interface SearchDatabase {
  plan<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<{ rows: R[] }>;
  script<R extends pg.QueryResultRow>(text: string): Promise<{ rows: R[] }>;
}

const { escapeLiteral } = pg;

/**
 * Near misses (tier 4) are read in bands of similarity, highest first (NEAR_MISS_BANDS, down to core's 0.3): a band
 * that holds enough for the page ends the search, so a dense text ranks a few names, not all of them. A band read
 * stops at NEAR_MISS_CANDIDATES rows: when one band holds more, the page is the best of those it read, not of all.
 * Without an index for them (no pg_trgm, or a text with no run of three letters or digits for tier 2) a tier reads
 * at most FALLBACK_SCAN sneks past the cursor: a store larger than that may miss some of those results.
 */
export const NEAR_MISS_CANDIDATES = 1000;
const NEAR_MISS_BANDS = [0.9, 0.7, 0.5, NEAR_MISS_SIMILARITY];
export const FALLBACK_SCAN = 10_000;
// What pg_trgm can find by index in LIKE '%text%': a run of three word characters.
const INDEXABLE = /[\p{L}\p{N}]{3}/u;

// Ids and types are slugs: a text with any other character is in neither.
const SLUG_TEXT = /^[a-z0-9._-]+$/;

/** `text` as a LIKE pattern that matches it literally, anywhere: \, % and _ escaped (backslash is LIKE's escape). */
export const containsPattern = (text: string) => `%${escapeLike(text)}%`;
export const startsPattern = (text: string) => `${escapeLike(text)}%`;
const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');

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
 * Tier by tier from the cursor's, each read in rank order by keyset, until the page is full: a dense text ("snek",
 * in every name) reads one page of tier 1 from the index and stops. Only near misses are ranked by score here, of
 * at most NEAR_MISS_CANDIDATES. searchRank gives every result its rank, as rankSneks would.
 */
export async function searchTiers(db: SearchDatabase, sql: SearchStatements, query: SearchQuery, allTypes: () => Promise<string[]>): Promise<SearchPage> {
  const search = prepareSearch(query.q);
  const q = search.folded;
  // Longer than the contract allows (the server refuses it first): no name is that long.
  if (q === '' || query.q.length > MAX_SEARCH_LENGTH) return { items: [], more: false };
  const plan = <R extends pg.QueryResultRow>(_method: string, text: string, values: unknown[]) => db.plan<R>(text, values);
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
  for (let tier = query.after?.tier ?? 0; tier <= 4 && found.length < want; tier++) {
    const from = query.after?.tier === tier ? [query.after.key, query.after.id] : ['', ''];
    const head = [...from, want - found.length, q];
    let read: { rows: Snek[] };
    if (tier === 0) read = await plan<Snek>('search', sql.exact[variant]!, [...head, naturalKeyOfFolded(q), ...typed]);
    else if (tier === 1) {
      const prefix = keyPrefix(q);
      const digits = /[0-9]$/.test(q) && sql.trigram;
      const values = [...head, prefix, prefixEnd(prefix) ?? null, ...(digits ? [startsPattern(q)] : [])];
      read = await plan<Snek>('search', (digits ? sql.startsDigits : sql.starts)[variant]!, [...values, ...typed]);
    } else if (tier === 2) read = await plan<Snek>('search', (sql.inside && INDEXABLE.test(q) ? sql.inside : sql.insideScan)[variant]!, [...head, containsPattern(q), ...typed]);
    else if (tier === 3) {
      if (!SLUG_TEXT.test(q)) continue;
      read = await plan<Snek>('search', sql.idOrType[variant]!, [...head, containsPattern(q), await typesWith(), ...typed]);
    } else {
      // A text with no trigram is like no name (similarity 0), and pg_trgm would read its whole index to say so.
      if (search.grams.size === 0) continue;
      const before = found.length;
      const types = await typesWith();
      if (!sql.nearMissBand) keep((await plan<Snek>('search', sql.nearMissScan[variant]!, [q, types, ...typed])).rows, 4);
      else {
        const most = query.after?.tier === 4 ? query.after.score : 1;
        for (const least of NEAR_MISS_BANDS.filter((band) => band < most || band === NEAR_MISS_SIMILARITY)) {
          found.splice(before);
          const { rows } = await db.script<Snek>(sql.nearMissBand(q, types, query.type, least, most));
          keep(rows, 4);
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
