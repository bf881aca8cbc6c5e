import { naturalKey } from '@snek/core';

/**
 * The ranges of `name_key` (naturalKey of the name) that hold every name starting with a folded text, in key order,
 * so that search's tier 1 (name starts with the text) walks the (name_key, id) index in rank order instead of ranking
 * every match. A range may also hold names that do not match (a digit run with leading zeros has the key of the run
 * without them): the caller checks each row.
 */
export interface KeyRange {
  /** Keys >= from. */
  from: string;
  /** Keys < to; undefined: no upper end. */
  to: string | undefined;
}

const DIGITS = /[0-9]+/g;
const TRAILING_DIGITS = /[0-9]+$/;

/**
 * naturalKey of text folded already: core's rewriting of each digit run (naturalKey of digits alone is that run's
 * key), without folding the rest a second time.
 */
export function keyOfFolded(folded: string): string {
  return folded.replace(DIGITS, (run) => naturalKey(run));
}

// A name has at most 100 characters, so a digit run at most 100 digits. The key of a run is a header that says its
// length, then its digits without leading zeros: the header of each length, read off core's own keys.
const RUN_LENGTHS = Array.from({ length: 100 }, (_, i) => i + 1);
const HEADERS = new Map(RUN_LENGTHS.map((length) => [length, naturalKey('1'.repeat(length)).slice(0, -length)]));
const ANY_HEADER = [...HEADERS.values()].reduce((common, header) => {
  let i = 0;
  while (i < common.length && common[i] === header[i]) i++;
  return common.slice(0, i);
});

/** The least string above every string that starts with `prefix`, in code point order; undefined when there is none. */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) return points.join('') + String.fromCodePoint(last + 1 === 0xd800 ? 0xe000 : last + 1);
  }
  return undefined;
}

function startingWith(prefix: string): KeyRange {
  return { from: prefix, to: prefixEnd(prefix) };
}

/**
 * The key ranges of names whose folded text starts with `folded`. Text that ends in anything but a digit gives one
 * range: its own key as a prefix. Text that ends in digits D can be the start of a longer run: one range per possible
 * run length, the header of that length then D without its leading zeros; when D is all zeros, every run there is
 * one range (the part all headers share).
 */
export function nameKeyRanges(folded: string): KeyRange[] {
  const trailing = TRAILING_DIGITS.exec(folded)?.[0];
  if (trailing === undefined) return [startingWith(keyOfFolded(folded))];
  const head = keyOfFolded(folded.slice(0, -trailing.length));
  const significant = trailing.replace(/^0+/, '');
  if (significant === '') return [startingWith(`${head}${ANY_HEADER}`)];
  return RUN_LENGTHS.filter((length) => length >= significant.length)
    .map((length) => startingWith(`${head}${HEADERS.get(length)!}${significant}`))
    .sort((a, b) => (a.from < b.from ? -1 : 1));
}
