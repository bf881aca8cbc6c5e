import { foldCase, matchRanges } from '@snek/core';

/** A run of a card's name; `mark` runs are where the search text matched, shown in <mark>. */
export interface NamePart {
  text: string;
  mark: boolean;
}

/**
 * The name cut where the search text occurs in it, folded as every store folds it ("STRASSE" marks "Straße"). The
 * parts are plain text: the template escapes each one, so a hostile name stays text inside or outside a mark.
 */
export function highlightName(name: string, q: string | undefined): NamePart[] {
  const ranges = q === undefined ? [] : matchRanges(name, foldCase(q));
  const parts: NamePart[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) parts.push({ text: name.slice(at, start), mark: false });
    parts.push({ text: name.slice(start, end), mark: true });
    at = end;
  }
  if (at < name.length || parts.length === 0) parts.push({ text: name.slice(at), mark: false });
  return parts;
}
