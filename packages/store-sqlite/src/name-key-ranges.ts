import { prefixEnd, startPrefixes } from '@snek/core';

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

/** The key ranges of names whose folded text starts with `folded`: one per prefix of core's `startPrefixes`. */
export function nameKeyRanges(folded: string): KeyRange[] {
  return startPrefixes(folded).map((prefix) => ({ from: prefix, to: prefixEnd(prefix) }));
}
