import type { SqliteRow } from './driver.js';
import { quoted } from './trigram-counts.js';

/** Near misses are drawn from pairs of at most this many of the rarest trigrams: 15 pairs. */
export const NEAR_MISS_GRAMS = 6;
/**
 * A trigram in more than one row in this many is no help in finding near misses: a pair of two such names most rows
 * (at 10,000 sneks "sne" and "nek" are in every one, and their pairs read 10,000 rows each), while "r 1", in 1 row in
 * 9, still leads to the sneks of the nearest numbers (at 100,000, leaving it out lowered the page's scores).
 */
const NEAR_MISS_SHARE = 4;
// A word as core's trigrams sees one.
const WORD = /[\p{L}\p{N}]+/gu;

/** What nearMissGrams chooses within. */
export interface NearMissBudget {
  /** A count at least this is not exact (the cap it was counted to). */
  cap: number;
  /** The rows the chosen trigrams may hold together. */
  reads: number;
  /** The rows of the store. */
  total: number;
}

/**
 * The trigrams whose rows near misses are drawn from, at most NEAR_MISS_GRAMS, of those counted exactly and in at
 * most one row in NEAR_MISS_SHARE, while their rows add up to at most `reads`: first the rarest of each word, then the
 * rest, rarest first ("grumpy nodle 999999": "999" and "gru", so a pair names Grumpy noodles with those digits);
 * when none is, the rarest one (then its first rows only).
 */
export function nearMissGrams(folded: string, grams: string[], counts: Map<string, number>, budget: NearMissBudget): string[] {
  const rarest = grams.filter((gram) => counts.get(gram)! > 0).sort((a, b) => counts.get(a)! - counts.get(b)!);
  const words = [...folded.matchAll(WORD)].map(([word]) => rarest.find((gram) => word.includes(gram))).filter((gram) => gram !== undefined);
  const most = Math.min(budget.cap - 1, Math.floor(budget.total / NEAR_MISS_SHARE));
  const chosen: string[] = [];
  let sum = 0;
  for (const gram of [...new Set([...words.sort((a, b) => counts.get(a)! - counts.get(b)!), ...rarest])]) {
    const n = counts.get(gram)!;
    if (chosen.length === NEAR_MISS_GRAMS) break;
    if (n <= most && sum + n <= budget.reads) chosen.push(gram), (sum += n);
  }
  return chosen.length > 0 ? chosen : rarest.slice(0, 1);
}

/**
 * One statement naming, for each pair of `grams`, the rows holding both (a JSON array each, columns p0, p1, …): a
 * pair's AND merges two short lists inside FTS5 and names few rows. Grouping them in SQL (a temporary B-tree for the
 * GROUP BY, another for its ORDER BY) cost as much as the pairs themselves; they are counted in JS (rowsByPairs).
 */
export function pairsSql(grams: string[]): { sql: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const columns: string[] = [];
  grams.forEach((a, i) =>
    grams.slice(i + 1).forEach((b) => {
      const name = `p${columns.length}`;
      params[name] = `${quoted(a)} AND ${quoted(b)}`;
      columns.push(`(SELECT json_group_array(rowid) FROM sneks_fts WHERE sneks_fts MATCH @${name}) AS ${name}`);
    }),
  );
  return { sql: `SELECT ${columns.join(', ')}`, params };
}

/** The rowids of a pairsSql row, those in the most pairs first, ties by rowid: at most `cap`. */
export function rowsByPairs(row: SqliteRow, cap: number): number[] {
  const pairs = new Map<number, number>();
  for (const list of Object.values(row)) for (const rowid of JSON.parse(list as string) as number[]) pairs.set(rowid, (pairs.get(rowid) ?? 0) + 1);
  return [...pairs].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, cap).map(([rowid]) => rowid);
}

/** `rows` then those of `more` not in it, in rowid order: at most `cap`. */
export function filledUp(rows: number[], more: number[], cap: number): number[] {
  const have = new Set(rows);
  return [...rows, ...more.filter((rowid) => !have.has(rowid)).sort((a, b) => a - b)].slice(0, cap);
}
