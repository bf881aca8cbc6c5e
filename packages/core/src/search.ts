import type { Snek } from './snek.js';

/** The longest search text: a snek's name is at most 100 characters, so a longer text cannot match one. */
export const MAX_SEARCH_LENGTH = 100;
/** A name this similar to the search text (trigram similarity, 0–1) is a near miss. */
export const NEAR_MISS_SIMILARITY = 0.3;

/**
 * How a snek matches a search, best first: the exact name (0), a name that starts with the text (1), a name that
 * contains it (2), an id or type that contains it (3), a near miss (4). `score` orders near misses (their trigram
 * similarity, higher first); it is 1 in the other tiers.
 */
export type SearchTier = 0 | 1 | 2 | 3 | 4;

/** Where a snek stands in a search's order; a search cursor carries one. */
export interface SearchRank {
  tier: SearchTier;
  score: number;
  /** {@link naturalKey} of the name: within a tier, names sort naturally. */
  key: string;
  id: string;
}

// ASCII text folds with toLowerCase alone; other text one code point at a time, so that no context (a final sigma)
// changes the result and a folded string can be mapped back to the original for highlighting.
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Unicode case folding, close to the full folding of CaseFolding.txt: each code point upper-cased, then lower-cased
 * ("Straße" → "strasse", "ΣΊΣΥΦΟΣ" → "σίσυφοσ"). Every store folds with this, so all of them match alike.
 */
export function foldCase(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  let folded = '';
  for (const char of text) folded += foldChar(char);
  return folded;
}

function foldChar(char: string): string {
  return char.toUpperCase().toLowerCase();
}

/**
 * Where `folded` (already {@link foldCase}d) occurs in `text`, as [start, end) ranges of `text`'s own code units,
 * for highlighting; every occurrence, not overlapping. A code point whose folding is longer than one character
 * ("ß" → "ss") is wholly inside or outside a range.
 */
export function matchRanges(text: string, folded: string): Array<[number, number]> {
  if (folded === '') return [];
  const starts: number[] = [];
  let haystack = '';
  let offset = 0;
  for (const char of text) {
    const part = foldChar(char);
    for (let i = 0; i < part.length; i++) starts.push(offset);
    haystack += part;
    offset += char.length;
  }
  starts.push(offset);
  const ranges: Array<[number, number]> = [];
  for (let at = haystack.indexOf(folded); at !== -1; ) {
    // Widened to whole code points: the end is the start of the first code point after the match.
    let end = at + folded.length;
    while (end < haystack.length && starts[end] === starts[end - 1]) end++;
    const start = starts[at]!;
    const previous = ranges.at(-1);
    // A match inside the code point the last one widened into ("s" in "ß") is part of that one.
    if (!previous || start >= previous[1]) ranges.push([start, starts[end]!]);
    at = haystack.indexOf(folded, end);
  }
  return ranges;
}

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * The trigrams of folded text, as PostgreSQL's pg_trgm makes them: each word (a run of letters and digits) padded
 * with two spaces before and one after, and every three code points of it.
 */
export function trigrams(folded: string): Set<string> {
  const grams = new Set<string>();
  for (const [word] of folded.matchAll(WORD)) {
    const points = Array.from(`  ${word} `);
    for (let i = 0; i + 3 <= points.length; i++) grams.add(points[i]! + points[i + 1]! + points[i + 2]!);
  }
  return grams;
}

/** Trigram similarity of two folded texts: shared trigrams over all trigrams of either (0 when neither has one). */
export function similarity(a: string, b: string): number {
  return trigramSimilarity(trigrams(a), trigrams(b));
}

export function trigramSimilarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const gram of a) if (b.has(gram)) shared++;
  return shared / (a.size + b.size - shared);
}

const DIGITS = /[0-9]+/g;

/**
 * A key whose code point order is the natural order of names: folded, and each run of digits written with its
 * length first, so that "Snek 2" sorts before "Snek 10". Leading zeros are dropped ("007" sorts as "7"; the id
 * breaks the tie). Compare keys with {@link compareKeys}; SQL stores keep it in a column with a byte-order collation
 * (UTF-8 bytes sort as code points).
 */
export function naturalKey(name: string): string {
  return naturalKeyOfFolded(foldCase(name));
}

/** {@link naturalKey} of text already folded with {@link foldCase}. */
export function naturalKeyOfFolded(folded: string): string {
  return folded.replace(DIGITS, (run) => {
    const digits = run.replace(/^0+(?=.)/, '');
    // The length in three digits (a name has at most 100 characters, so a run at most 100), after a "0" that sorts
    // digits where they sort in plain text.
    return `0${String(digits.length).padStart(RUN_LENGTH_DIGITS, '0')}${digits}`;
  });
}

/** How many digits {@link naturalKey} writes a digit run's length in. */
export const RUN_LENGTH_DIGITS = 3;

/**
 * Code point order (what SQL's byte order gives for UTF-8), not JavaScript's `<` on UTF-16 code units: they differ
 * only where one string has a character above U+FFFF and the other one in U+E000–U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrder(x) - codePointOrder(y);
  }
  return a.length - b.length;
}

// Surrogates (U+D800–U+DFFF) stand for code points above U+FFFF: move them above U+E000–U+FFFF.
function codePointOrder(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit;
}

/** A search text, folded, with its trigrams worked out once for many sneks. */
export interface PreparedSearch {
  /** The text as given. */
  text: string;
  folded: string;
  grams: Set<string>;
}

export function prepareSearch(text: string): PreparedSearch {
  const folded = foldCase(text);
  return { text, folded, grams: trigrams(folded) };
}

/** How `snek` matches the search, or undefined when it does not. The one definition every store's order follows. */
export function searchRank(search: PreparedSearch, snek: Pick<Snek, 'id' | 'name' | 'type'>): SearchRank | undefined {
  const name = foldCase(snek.name);
  const q = search.folded;
  const ranked = (tier: SearchTier, score = 1): SearchRank => ({ tier, score, key: naturalKey(snek.name), id: snek.id });
  if (q === '') return undefined;
  if (name === q) return ranked(0);
  if (name.startsWith(q)) return ranked(1);
  if (name.includes(q)) return ranked(2);
  if (foldCase(snek.id).includes(q) || foldCase(snek.type).includes(q)) return ranked(3);
  const score = trigramSimilarity(search.grams, trigrams(name));
  return score >= NEAR_MISS_SIMILARITY ? ranked(4, score) : undefined;
}

/** The search order: tier, then score (higher first), then the natural name, then the id. */
export function compareRanks(a: SearchRank, b: SearchRank): number {
  return a.tier - b.tier || b.score - a.score || compareKeys(a.key, b.key) || compareKeys(a.id, b.id);
}

/**
 * The plain reference search: every snek ranked and sorted, the `type` filter applied, those after `after` kept.
 * The testkit holds every store's search to it; the server uses it, over a bounded scan, for a store without
 * search of its own.
 */
export function rankSneks<S extends Pick<Snek, 'id' | 'name' | 'type'>>(
  sneks: Iterable<S>,
  search: PreparedSearch,
  options: { type?: string | undefined; after?: SearchRank | undefined } = {},
): Array<{ snek: S; rank: SearchRank }> {
  const found: Array<{ snek: S; rank: SearchRank }> = [];
  for (const snek of sneks) {
    if (options.type !== undefined && snek.type !== options.type) continue;
    const rank = searchRank(search, snek);
    if (rank && (options.after === undefined || compareRanks(rank, options.after) > 0)) found.push({ snek, rank });
  }
  return found.sort((a, b) => compareRanks(a.rank, b.rank));
}
