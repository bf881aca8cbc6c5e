import type pg from 'pg';
import { compareRanks, prepareSearch, searchRank, type SearchPage, type SearchQuery, type SearchRank, type SearchTier, type Snek } from '@snek/core';

/** Runs one statement unnamed, so PostgreSQL plans it for these values (how selective a prefix is, say). */
export type PlanQuery = <R extends pg.QueryResultRow>(method: string, text: string, values: unknown[]) => Promise<{ rows: R[] }>;

/**
 * The most near misses (tier 4) one search ranks: the best by pg_trgm's similarity, of those `%` finds. A search
 * whose near misses are more than this returns only these. Without pg_trgm, the most sneks scanned for them, in id
 * order: a store larger than this finds near misses only among its first FALLBACK_SCAN ids.
 */
export const NEAR_MISS_CANDIDATES = 1000;
export const FALLBACK_SCAN = 10_000;

// Ids and types are slugs: a text with any other character is in neither.
const SLUG_TEXT = /^[a-z0-9._-]+$/;
const DIGIT = /[0-9]/;

/** `text` as a LIKE pattern that matches it literally, anywhere: \, % and _ escaped (backslash is LIKE's escape). */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, '\\$&')}%`;

/** The least string above every string that starts with `prefix`, in code point order; undefined when none is. */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) return points.join('') + String.fromCodePoint(last + 1 === 0xd800 ? 0xe000 : last + 1);
  }
  return undefined;
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
  // For a text without digits, a name starts with it exactly when the name's natural key does: (name_key, id)
  // order is then one range of the index. With digits, the key's range up to the first digit ($6, $7) and the
  // folded name's range ($5) both bound it; the planner picks the narrower. $5 / $7 are null when no end exists.
  const startsRange = `s.name_key >= $4 AND starts_with(s.name_key, $4) AND ($5::text IS NULL OR s.name_key < $5) AND s.name_folded <> $4`;
  const startsDigits = `s.name_folded >= $4 AND starts_with(s.name_folded, $4) AND ($5::text IS NULL OR s.name_folded < $5) AND s.name_folded <> $4 AND s.name_key >= $6 AND ($7::text IS NULL OR s.name_key < $7)`;
  // Tier 3's ids by pg_trgm ($5 the LIKE pattern) or a scan; its types from the type counts ($6, those that contain the text).
  const idOrType = trigram ? `((s.id LIKE $5 AND strpos(s.id, $4) > 0) OR s.type = ANY($6::text[]))` : `(strpos(s.id, $4) > 0 OR s.type = ANY($6::text[]))`;
  const nearMiss = trigram
    ? (typeAt: string) => `SELECT id, name, type, content FROM ${sneks} s WHERE s.name_folded OPERATOR(${trigram}.%) $1 AND NOT strpos(s.name_folded, $1) > 0
        AND NOT (strpos(s.id, $1) > 0 OR s.type = ANY($2::text[]))${typeAt} ORDER BY ${trigram}.similarity(s.name_folded, $1) DESC, s.name_key, s.id LIMIT ${NEAR_MISS_CANDIDATES}`
    : (typeAt: string) => `SELECT id, name, type, content FROM ${sneks} s WHERE NOT strpos(s.name_folded, $1) > 0 AND NOT (strpos(s.id, $1) > 0 OR s.type = ANY($2::text[]))${typeAt} ORDER BY s.id LIMIT ${FALLBACK_SCAN}`;
  return {
    exact: tier(`s.name_folded = $4`, 5),
    starts: tier(startsRange, 6),
    startsDigits: tier(startsDigits, 8),
    // pg_trgm's GIN index serves LIKE '%text%' ($5); strpos is the condition itself.
    inside: tier(trigram ? `s.name_folded LIKE $5 AND ${contains} AND NOT starts_with(s.name_folded, $4)` : `${contains} AND NOT starts_with(s.name_folded, $4)`, 6),
    idOrType: tier(`NOT ${contains} AND ${idOrType}`, 7),
    nearMiss: [nearMiss(''), nearMiss(' AND s.type = $3')],
  };
}

export type SearchStatements = ReturnType<typeof searchStatements>;

/**
 * Tier by tier from the cursor's, each read in rank order by keyset, until the page is full: a dense text ("snek",
 * in every name) reads one page of tier 1 from the index and stops. Only near misses are ranked by score here, of
 * at most NEAR_MISS_CANDIDATES. searchRank gives every result its rank, as rankSneks would.
 */
export async function searchTiers(plan: PlanQuery, sql: SearchStatements, query: SearchQuery, allTypes: () => Promise<string[]>): Promise<SearchPage> {
  const search = prepareSearch(query.q);
  const q = search.folded;
  if (q === '') return { items: [], more: false };
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
    if (tier === 0) read = await plan<Snek>('search', sql.exact[variant]!, [...head, ...typed]);
    else if (tier === 1 && !DIGIT.test(q)) read = await plan<Snek>('search', sql.starts[variant]!, [...head, prefixEnd(q) ?? null, ...typed]);
    else if (tier === 1) {
      const keyPrefix = q.slice(0, q.search(DIGIT));
      read = await plan<Snek>('search', sql.startsDigits[variant]!, [...head, prefixEnd(q) ?? null, keyPrefix, prefixEnd(keyPrefix) ?? null, ...typed]);
    } else if (tier === 2) read = await plan<Snek>('search', sql.inside[variant]!, [...head, containsPattern(q), ...typed]);
    else if (tier === 3) {
      if (!SLUG_TEXT.test(q)) continue;
      read = await plan<Snek>('search', sql.idOrType[variant]!, [...head, containsPattern(q), await typesWith(), ...typed]);
    } else {
      const before = found.length;
      keep((await plan<Snek>('search', sql.nearMiss[variant]!, [q, await typesWith(), ...typed])).rows, 4);
      found.splice(before, found.length - before, ...found.slice(before).sort((a, b) => compareRanks(a.rank, b.rank)));
      continue;
    }
    keep(read.rows, tier as SearchTier);
  }
  return { items: found.slice(0, query.limit), more: found.length > query.limit };
}
