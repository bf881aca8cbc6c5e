import pg from 'pg';
import { NEAR_MISS_SIMILARITY, type SearchRank } from '@snek/core';
import { piecePatterns, type Piece } from './search-sample.js';

const { escapeLiteral } = pg;

/** `text` as a LIKE pattern that matches it literally, anywhere: \, % and _ escaped (backslash is LIKE's escape). */
export const containsPattern = (text: string) => `%${escapeLike(text)}%`;
export const startsPattern = (text: string) => `${escapeLike(text)}%`;
const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/** Tier 2's walk of the name order (sampledStatements.walk) reads at most this many rows. */
export const DENSE_WALK = 2000;

type NearMissSearch = { q: string; types: string[]; type: string | undefined; after: SearchRank | undefined };

/** Statements that name the text's pieces as literals, so each is planned for the posting lists it reads. */
export function sampledStatements(schema: string, trigram: string | undefined) {
  const sneks = `${schema}.sneks`;
  const typed = (type: string | undefined, alias: string) => (type === undefined ? '' : ` AND ${alias}.type = ${escapeLiteral(type)}`);
  // Near misses among `rows` (a FROM item), best first by pg_trgm (searchRank ranks them again; OFFSET 0 keeps each
  // score worked out once): below the tiers above (`types`, those containing the text) and after the cursor
  // `after`, at most `limit`.
  const nearest = (rows: string, search: NearMissSearch, limit: number) => {
    const q = escapeLiteral(search.q);
    const score = `${trigram}.similarity(s.name_folded, ${q})`;
    // pg_trgm's similarity is a float4, searchRank's a double: equal within 1e-6 (distinct scores of names are further apart).
    const after = search.after?.tier === 4 ? ` AND (s.score < ${search.after.score - 1e-6} OR s.score <= ${search.after.score + 1e-6} AND (s.name_key, s.id) > (${escapeLiteral(search.after.key)}, ${escapeLiteral(search.after.id)}))` : '';
    return `SELECT id, name, type, content FROM (SELECT s.*, ${score} AS score FROM ${rows} s OFFSET 0) s
      WHERE s.score >= ${NEAR_MISS_SIMILARITY - 1e-6} AND NOT strpos(s.name_folded, ${q}) > 0 AND NOT (strpos(s.id, ${q}) > 0 OR s.type = ANY(${escapeLiteral(`{${search.types.map((type) => `"${type}"`).join(',')}}`)}::text[]))${after}
      ORDER BY s.score DESC, s.name_key, s.id LIMIT ${limit}`;
  };
  return {
    // The rows holding `run` (by pg_trgm, never a scan: with the planner's guesses a scan under LIMIT can look cheaper), then the tier's condition and order.
    rare: (run: string, where: string, first: string, limit: number, type: string | undefined) => `SET LOCAL enable_seqscan = off;
      SELECT id, name, type, content FROM (SELECT * FROM ${sneks} s WHERE s.name_folded LIKE ${escapeLiteral(containsPattern(run))} OFFSET 0) s
        WHERE ${where}${typed(type, 's')} ORDER BY ${first}s.name_key, s.id LIMIT ${limit}`,
    ids: (q: string, where: string, limit: number, type: string | undefined) => `SET LOCAL enable_seqscan = off;
      SELECT id, name, type, content FROM (SELECT * FROM ${sneks} s WHERE s.id LIKE ${escapeLiteral(containsPattern(q))} OFFSET 0) s
        WHERE ${where}${typed(type, 's')} ORDER BY s.name_key, s.id LIMIT ${limit}`,
    // Tier 1 as ranges of keys, in order, each after the one before (see tier 1 in searchTiers): a union read in
    // its order, which stops at `limit` rows without starting the ranges after.
    ranges: (q: string, ranges: Array<{ start: string; end: string | undefined; after: string[] }>, limit: number, type: string | undefined) =>
      `${ranges
        .map(({ start, end, after }) => `(SELECT id, name, type, content FROM ${sneks} s WHERE s.name_key >= ${escapeLiteral(start)} AND ${end === undefined ? `starts_with(s.name_key, ${escapeLiteral(start)})` : `s.name_key < ${escapeLiteral(end)}`}
          AND (s.name_key, s.id) > (${escapeLiteral(after[0]!)}, ${escapeLiteral(after[1]!)}) AND starts_with(s.name_folded, ${escapeLiteral(q)}) AND s.name_folded <> ${escapeLiteral(q)}${typed(type, 's')} ORDER BY s.name_key, s.id LIMIT ${limit})`)
        .join(' UNION ALL ')} LIMIT ${limit}`,
    // Tier 2 in name order from $1, $2: at most DENSE_WALK rows read, those containing $3 kept, at most $4.
    walk: (type: string | undefined) => `SELECT id, name, type, content FROM (SELECT * FROM ${sneks} k WHERE (k.name_key, k.id) > ($1, $2)${typed(type, 'k')} ORDER BY k.name_key, k.id LIMIT ${DENSE_WALK}) s
      WHERE strpos(s.name_folded, $3) > 0 AND NOT starts_with(s.name_folded, $3) ORDER BY s.name_key, s.id LIMIT $4`,
    // Near misses among at most `read` rows holding any of `pieces`. A piece in most names (`dense`) is read by a
    // scan, which finds `read` of them in the first pages: its posting lists are most of pg_trgm's index.
    nearMisses: (pieces: Piece[], search: NearMissSearch, read: number, limit: number, dense = false) => `${dense ? '' : 'SET LOCAL enable_seqscan = off; '}SET LOCAL max_parallel_workers_per_gather = 0;
    ${nearest(`(SELECT * FROM ${sneks} s WHERE (${pieces.flatMap(piecePatterns).map((pattern) => `s.name_folded LIKE ${escapeLiteral(pattern)}`).join(' OR ')})${typed(search.type, 's')} LIMIT ${read})`, search, limit)}`,
    // Near misses among the names beside the text's own key (`key`), of those that start with its words but the
    // last (keys from `start` to `end`): `read` each way. Two walks of (name_key, id), a hundred rows or so, where the
    // rows of a piece that most such names hold ("grum" of "Grumpy noodle 6900") are the whole of its posting
    // lists, some 15,000 at a million sneks.
    neighbours: (search: NearMissSearch, key: string, start: string, end: string | undefined, read: number, limit: number) => {
      const within = `s.name_key >= ${escapeLiteral(start)}${end === undefined ? ` AND starts_with(s.name_key, ${escapeLiteral(start)})` : ` AND s.name_key < ${escapeLiteral(end)}`}${typed(search.type, 's')}`;
      const at = `(${escapeLiteral(key)}, '')`;
      return nearest(`((SELECT * FROM ${sneks} s WHERE (s.name_key, s.id) >= ${at} AND ${within} ORDER BY s.name_key, s.id LIMIT ${read})
        UNION ALL (SELECT * FROM ${sneks} s WHERE (s.name_key, s.id) < ${at} AND ${within} ORDER BY s.name_key DESC, s.id DESC LIMIT ${read}))`, search, limit);
    },
    // Each row with probability $1 percent: every page read, once per SAMPLE_AGE_MS (about 0.1 s at a million sneks).
    sample: `SELECT name_key, id, name_folded FROM ${sneks} TABLESAMPLE BERNOULLI ($1)`,
  };
}

export type SampledStatements = ReturnType<typeof sampledStatements>;
