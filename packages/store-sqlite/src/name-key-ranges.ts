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

/** naturalKey's rewriting of digit runs, on text folded already (foldCase is not applied twice). */
export function keyOfFolded(folded: string): string {
  return folded.replace(DIGITS, (run) => {
    const digits = run.replace(/^0+(?=.)/, '');
    return `0${String(digits.length).padStart(2, '0')}${digits}`;
  });
}

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

// A name has at most 100 characters, so a digit run at most 100 digits.
const RUN_LENGTHS = Array.from({ length: 100 }, (_, i) => String(i + 1).padStart(2, '0'));

/**
 * The key ranges of names whose folded text starts with `folded`. Text that ends in a letter (or anything but a
 * digit) gives one range: its own key as a prefix. Text that ends in digits D can be the start of a longer run, whose
 * key is "0" + its length + its digits: one range per possible length, for D without its leading zeros; when D is all
 * zeros, every run there is one range.
 */
export function nameKeyRanges(folded: string): KeyRange[] {
  const trailing = TRAILING_DIGITS.exec(folded)?.[0];
  if (trailing === undefined) return [startingWith(keyOfFolded(folded))];
  const head = keyOfFolded(folded.slice(0, -trailing.length));
  const significant = trailing.replace(/^0+/, '');
  if (significant === '') return [startingWith(`${head}0`)];
  return RUN_LENGTHS.filter((length) => Number(length) >= significant.length)
    .map((length) => startingWith(`${head}0${length}${significant}`))
    .sort((a, b) => (a.from < b.from ? -1 : 1));
}
