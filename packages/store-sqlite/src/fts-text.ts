import { compareKeys, naturalKeyOfFolded, type Snek } from '@snek/core';
import type { SqliteRow } from './driver.js';

/**
 * What a row of the trigram index tells of its snek: its text is FTS_TEXT, the folded name, a space and the id (ids
 * are slugs, without spaces). Reading it costs a fraction of reading the snek's row: the FTS content is small and
 * stays in the page cache, while a million sneks' rows with their art do not.
 */
export function parsed(text: string): { folded: string; id: string } {
  const at = text.lastIndexOf(' ');
  return { folded: text.slice(0, at), id: text.slice(at + 1) };
}

/**
 * A near-miss candidate as its text tells it: ranked as its row is when no type holds the search text, as a folded
 * name folds to itself. Only the choice of a page rests on it; the page is ranked again on its rows.
 */
export function sketch(row: SqliteRow): Snek {
  const { folded, id } = parsed(row['text'] as string);
  return { id, name: folded, type: '', content: '' };
}

type Keyed = { key: string; id: string };
const byKey = (a: Keyed, b: Keyed): number => compareKeys(a.key, b.key) || compareKeys(a.id, b.id);

/**
 * The ids, in (name key, id) order past `from`, of the texts whose row is of `tier` by search.ts's TIER_SQL tests
 * (tier 3's type test left to the caller, which knows that no type holds `q`), at most `need`.
 */
export function chosenAmong(texts: string[], tier: 2 | 3, q: string, from: Keyed | undefined, need: number): string[] {
  // The least `need` so far, in order: most texts lose to the last of them at once, and 4,000 are not all sorted.
  const least: Keyed[] = [];
  for (const text of texts) {
    const { folded, id } = parsed(text);
    if (tier === 2 ? folded.indexOf(q) <= 0 : folded.includes(q) || !id.includes(q)) continue;
    const row = { key: naturalKeyOfFolded(folded), id };
    if (from !== undefined && byKey(row, from) <= 0) continue;
    if (least.length === need && byKey(row, least[need - 1]!) >= 0) continue;
    let [low, high] = [0, least.length];
    while (low < high) {
      const mid = (low + high) >> 1;
      if (byKey(least[mid]!, row) < 0) low = mid + 1;
      else high = mid;
    }
    least.splice(low, 0, row);
    if (least.length > need) least.pop();
  }
  return least.map(({ id }) => id);
}
