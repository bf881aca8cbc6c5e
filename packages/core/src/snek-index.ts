import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, type SnekQuery, type TypeCount } from './contract.js';
import { decodeCursor, encodeCursor } from './cursor.js';

/** What an index keeps of a snek: enough to filter and order, not the art. */
export interface SnekIndexEntry {
  id: string;
  name: string;
  type: string;
}

/** Ids in ascending order, for paging by cursor in O(log n + page). */
class SortedIds {
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

const EMPTY = new SortedIds();

/**
 * An in-memory index of sneks by id, name and type, for stores whose storage cannot filter or order by
 * itself. It keeps each entry it is given (a store may give it whole sneks and keep no other map), and
 * `page` answers a {@link SnekQuery} without scanning every snek.
 */
export class SnekIndex<E extends SnekIndexEntry = SnekIndexEntry> {
  private readonly entries = new Map<string, E>();
  private all = new SortedIds();
  // A name usually belongs to one snek: such a bucket is just that id, ~200 bytes less than a SortedIds.
  private readonly byName = new Map<string, string | SortedIds>();
  private readonly byType = new Map<string, string | SortedIds>();

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** The entry kept for `id`, as it was given to `set`. */
  get(id: string): E | undefined {
    return this.entries.get(id);
  }

  /** Adds or replaces an entry, keeping `entry` itself; returns true when the id was new. */
  set(entry: E): boolean {
    const previous = this.entries.get(entry.id);
    if (previous) this.unlink(previous);
    this.entries.set(entry.id, entry);
    this.all.add(entry.id);
    addToBucket(this.byName, entry.name, entry.id);
    addToBucket(this.byType, entry.type, entry.id);
    return !previous;
  }

  /** Every entry in id order, in an array of its own: the index at this moment, which later writes leave alone. */
  ordered(): E[] {
    return Array.from(this.all.after(undefined), (id) => this.entries.get(id)!);
  }

  /** Removes an entry; returns false when there was none. */
  delete(id: string): boolean {
    const previous = this.entries.get(id);
    if (!previous) return false;
    this.entries.delete(id);
    this.unlink(previous);
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.all = new SortedIds();
    this.byName.clear();
    this.byType.clear();
  }

  /** The entries of one page, in id order, and the cursor of the next page (null on the last). */
  page(query: SnekQuery = {}): { entries: E[]; nextCursor: string | null } {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIST_LIMIT, 1), MAX_LIST_LIMIT);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const entries: E[] = [];
    for (const id of this.candidates(query).after(after)) {
      const entry = this.entries.get(id)!;
      if ((query.name !== undefined && entry.name !== query.name) || (query.type !== undefined && entry.type !== query.type)) continue;
      if (entries.length === limit) return { entries, nextCursor: encodeCursor(entries.at(-1)!.id) };
      entries.push(entry);
    }
    return { entries, nextCursor: null };
  }

  /** Sneks per type, sorted by type in code-unit order: one step per type, not per snek. */
  countTypes(): TypeCount[] {
    return [...this.byType]
      .map(([type, ids]) => ({ type, count: typeof ids === 'string' ? 1 : ids.size }))
      .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  }

  // The smallest id list that covers the filters; the other filter is checked per entry.
  private candidates(query: SnekQuery): SortedIds {
    const name = query.name === undefined ? undefined : idsIn(this.byName, query.name);
    const type = query.type === undefined ? undefined : idsIn(this.byType, query.type);
    if (name && type) return name.size <= type.size ? name : type;
    return name ?? type ?? this.all;
  }

  private unlink(entry: E): void {
    this.all.remove(entry.id);
    removeFromBucket(this.byName, entry.name, entry.id);
    removeFromBucket(this.byType, entry.type, entry.id);
  }
}

function idsIn(index: Map<string, string | SortedIds>, key: string): SortedIds {
  const ids = index.get(key);
  if (ids === undefined) return EMPTY;
  if (typeof ids !== 'string') return ids;
  const one = new SortedIds();
  one.add(ids);
  return one;
}

function addToBucket(index: Map<string, string | SortedIds>, key: string, id: string): void {
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

function removeFromBucket(index: Map<string, string | SortedIds>, key: string, id: string): void {
  const ids = index.get(key);
  if (ids === id) index.delete(key);
  else if (ids !== undefined && typeof ids !== 'string') {
    ids.remove(id);
    if (ids.size === 0) index.delete(key);
  }
}
