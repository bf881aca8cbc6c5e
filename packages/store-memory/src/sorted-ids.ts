/** Ids kept in ascending order, for paging by cursor in O(log n + page). */
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
  *from(after: string | undefined): IterableIterator<string> {
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
