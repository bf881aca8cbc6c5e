import type { SnekSort, SortPosition } from './contract.js';
import { compareKeys, naturalKey } from './search.js';
import type { Snek } from './snek.js';

/**
 * The order of one {@link SnekSort}: `id` and `name` ascending in code point order, `updated` newest first; ties
 * broken by id. Every store's `browse` follows it, and the server's fallback sorts with it.
 */
export function compareSortPositions(sort: SnekSort, a: SortPosition, b: SortPosition): number {
  const byKey = sort === 'updated' ? Number(b.key) - Number(a.key) : compareKeys(String(a.key), String(b.key));
  return byKey || compareKeys(a.id, b.id);
}

/** A snek's position in `sort`; `updatedSeq` is the seq of its newest change (0 when none), needed for `updated`. */
export function sortPosition(sort: SnekSort, snek: Pick<Snek, 'id' | 'name'>, updatedSeq = 0): SortPosition {
  if (sort === 'id') return { key: snek.id, id: snek.id };
  if (sort === 'name') return { key: naturalKey(snek.name), id: snek.id };
  return { key: updatedSeq, id: snek.id };
}
