import { RUN_LENGTH_DIGITS, naturalKeyOfFolded, trigrams } from './search.js';
import { MAX_NAME_LENGTH } from './snek.js';

const TRAILING_DIGITS = /[0-9]+$/;
const WORD = /[\p{L}\p{N}]+/gu;
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Natural-key prefixes, in key order, under which lie all the names whose folded text starts with `folded` (and a
 * few more, with leading zeros, that the caller filters out). The digits that end `folded` may go on in a name
 * ("snek 1" starts "snek 12"), and a key writes a run's length before it, so a trailing run gives one prefix per
 * length it could have.
 */
export function startPrefixes(folded: string): string[] {
  const trailing = TRAILING_DIGITS.exec(folded);
  if (!trailing) return [naturalKeyOfFolded(folded)];
  // A name's digit run here starts after the same text, so its key has `head`, then the run's length and digits.
  const head = `${naturalKeyOfFolded(folded.slice(0, trailing.index))}0`;
  const digits = trailing[0].replace(/^0+/, '');
  // Only zeros: the run's key drops them, so any run here may start with them.
  if (digits === '') return [head];
  const prefixes: string[] = [];
  // Lengths are written in a fixed number of digits, so these are in key order.
  for (let length = digits.length; length <= MAX_NAME_LENGTH; length++) prefixes.push(`${head}${String(length).padStart(RUN_LENGTH_DIGITS, '0')}${digits}`);
  return prefixes;
}

/**
 * Trigrams that every folded text containing `folded` has (as `trigrams` makes them): those inside its words, and
 * the padded ones at each word edge that `folded` itself shows (a word edge at either end of `folded` may be
 * inside a longer word of the text). Empty when no word of `folded` reaches three code points with what it shows.
 */
export function containedGrams(folded: string): Set<string> {
  const grams = new Set<string>();
  for (const match of folded.matchAll(WORD)) {
    const start = match.index;
    const end = start + match[0].length;
    const points = Array.from(`${start > 0 ? '  ' : ''}${match[0]}${end < folded.length ? ' ' : ''}`);
    for (let i = 0; i + 3 <= points.length; i++) grams.add(points[i]! + points[i + 1]! + points[i + 2]!);
  }
  return grams;
}

/**
 * `trigrams(folded)`, the same set (a test holds them equal), several times faster for ASCII text, where the letters
 * and digits of a word are [A-Za-z0-9]: building the postings of a store is mostly this.
 */
export function foldedTrigrams(folded: string): Set<string> {
  if (!ASCII.test(folded)) return trigrams(folded);
  const grams = new Set<string>();
  let start = -1;
  for (let i = 0; i <= folded.length; i++) {
    const c = i < folded.length ? folded.charCodeAt(i) : 32;
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      const padded = `  ${folded.slice(start, i)} `;
      for (let j = 0; j + 3 <= padded.length; j++) grams.add(padded.slice(j, j + 3));
      start = -1;
    }
  }
  return grams;
}

/**
 * The least string above every string that starts with `prefix`, in code point order, for a key range `>= prefix
 * AND < prefixEnd(prefix)` on an index; undefined when there is none (the prefix is all U+10FFFF).
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) return points.join('') + String.fromCodePoint(last + 1 === 0xd800 ? 0xe000 : last + 1);
  }
  return undefined;
}
