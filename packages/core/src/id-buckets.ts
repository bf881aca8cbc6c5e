import { SortedRun } from './sorted-run.js';

/** Ids in ascending order, for paging by cursor in O(log n + page). */
export class SortedIds {
  private readonly ids = new SortedRun<string>((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  get size(): number {
    return this.ids.size;
  }

  add(id: string): void {
    this.ids.add(id);
  }

  remove(id: string): void {
    this.ids.remove(id);
  }

  /** Ids strictly after `after` (or from the start), in order. */
  *after(after: string | undefined): IterableIterator<string> {
    const ids: string[] = [];
    // Read in pages, so a caller that stops early reads little, and no write comes between the reads of one page.
    let from = after;
    for (;;) {
      ids.length = 0;
      this.ids.forward(from === undefined ? { chunk: 0, at: 0 } : this.ids.seek((x) => x > from!), (x) => ids.push(x) < 256);
      yield* ids;
      if (ids.length < 256) return;
      from = ids.at(-1);
    }
  }
}

/** Key (a name or a type) → its ids: one id alone as a string, more in a SortedIds. */
export type IdBuckets = Map<string, string | SortedIds>;

const EMPTY = new SortedIds();

export function idsIn(index: IdBuckets, key: string): SortedIds {
  const ids = index.get(key);
  if (ids === undefined) return EMPTY;
  if (typeof ids !== 'string') return ids;
  const one = new SortedIds();
  one.add(ids);
  return one;
}

export function addToBucket(index: IdBuckets, key: string, id: string): void {
  const ids = index.get(key);
  if (ids === undefined) index.set(key, id);
  else if (typeof ids !== 'string') ids.add(id);
  else if (ids !== id) {
    const many = new SortedIds();
    many.add(ids);
    many.add(id);
    index.set(key, many);
  }
}

export function removeFromBucket(index: IdBuckets, key: string, id: string): void {
  const ids = index.get(key);
  if (ids === id) index.delete(key);
  else if (ids !== undefined && typeof ids !== 'string') {
    ids.remove(id);
    if (ids.size === 0) index.delete(key);
  }
}
