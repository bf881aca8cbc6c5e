import type { BrowseQuery, SortPosition } from './contract.js';
import { compareSortPositions } from './sort-order.js';
import type { SortedRun } from './sorted-run.js';

/** A type with at most this many sneks is browsed by sorting them; a larger one by reading the whole order past the others. */
const SMALL_TYPE = 2048;

/** What browse reads of a {@link SnekIndex}: one sort's order of slots, and each slot's position and type. */
export interface BrowseSource {
  run: SortedRun;
  position(slot: number): SortPosition;
  type(slot: number): string;
  typeSize(type: string): number;
  slotsOfType(type: string): number[];
}

/** A page of `query` in `compareSortPositions` order: O(log n + page), or O(t log t) for a type of t sneks below SMALL_TYPE. */
export function browseSlots(source: BrowseSource, query: BrowseQuery): { slots: number[]; more: boolean } {
  const { sort, type, limit, after, before } = query;
  const beyond = (slot: number, position: SortPosition) => compareSortPositions(sort, source.position(slot), position);
  if (type !== undefined && source.typeSize(type) <= SMALL_TYPE) {
    const sorted = source.slotsOfType(type).sort((a, b) => compareSortPositions(sort, source.position(a), source.position(b)));
    if (before) {
      const end = firstIndex(sorted, (slot) => beyond(slot, before) >= 0);
      return { slots: sorted.slice(Math.max(0, end - limit), end), more: end > limit };
    }
    const start = after ? firstIndex(sorted, (slot) => beyond(slot, after) > 0) : 0;
    return { slots: sorted.slice(start, start + limit), more: sorted.length > start + limit };
  }
  const slots: number[] = [];
  const collect = (slot: number) => {
    if (type === undefined || source.type(slot) === type) slots.push(slot);
    return slots.length <= limit;
  };
  if (before) {
    source.run.backward(
      source.run.seek((slot) => beyond(slot, before) >= 0),
      collect,
    );
    const more = slots.length > limit;
    return { slots: slots.slice(0, limit).reverse(), more };
  }
  source.run.forward(after ? source.run.seek((slot) => beyond(slot, after) > 0) : { chunk: 0, at: 0 }, collect);
  return { slots: slots.slice(0, limit), more: slots.length > limit };
}

function firstIndex(slots: readonly number[], reached: (slot: number) => boolean): number {
  let lo = 0;
  let hi = slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (reached(slots[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
