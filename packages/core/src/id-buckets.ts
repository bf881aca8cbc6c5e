/** Ids in ascending order, for paging by cursor in O(log n + page). */
export class SortedIds {
  private readonly ids: string[] = [];

  get size(): number {
    return this.ids.length;
  }

  add(id: string): void {
    const at = this.lowerBound(id);
    if (this.ids[at] !== id) this.ids.splice(at, 0, id);
  }

  remove(id: string): void {
    const at = this.lowerBound(id);
    if (this.ids[at] === id) this.ids.splice(at, 1);
  }

  /** Ids strictly after `after` (or from the start), in order. */
  *after(after: string | undefined): IterableIterator<string> {
    let at = after === undefined ? 0 : this.lowerBound(after);
    if (after !== undefined && this.ids[at] === after) at++;
    for (; at < this.ids.length; at++) yield this.ids[at]!;
  }

  private lowerBound(id: string): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
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
