import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, type SnekQuery } from './contract.js';
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
 * An in-memory index of sneks by id, name and type, for stores whose storage cannot filter or
 * order by itself. `page` answers a {@link SnekQuery} without scanning every snek.
 */
export class SnekIndex {
  private readonly entries = new Map<string, SnekIndexEntry>();
  private all = new SortedIds();
  private readonly byName = new Map<string, SortedIds>();
  private readonly byType = new Map<string, SortedIds>();

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Adds or moves an entry; returns true when the id was new. */
  set({ id, name, type }: SnekIndexEntry): boolean {
    const previous = this.entries.get(id);
    if (previous) this.unlink(previous);
    const entry = { id, name, type };
    this.entries.set(id, entry);
    this.all.add(id);
    bucket(this.byName, name).add(id);
    bucket(this.byType, type).add(id);
    return !previous;
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

  /** The ids of one page, in id order, and the cursor of the next page (null on the last). */
  page(query: SnekQuery = {}): { ids: string[]; nextCursor: string | null } {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIST_LIMIT, 1), MAX_LIST_LIMIT);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const ids: string[] = [];
    for (const id of this.candidates(query).after(after)) {
      const entry = this.entries.get(id)!;
      if ((query.name !== undefined && entry.name !== query.name) || (query.type !== undefined && entry.type !== query.type)) continue;
      if (ids.length === limit) return { ids, nextCursor: encodeCursor(ids.at(-1)!) };
      ids.push(id);
    }
    return { ids, nextCursor: null };
  }

  // The smallest id list that covers the filters; the other filter is checked per entry.
  private candidates(query: SnekQuery): SortedIds {
    const name = query.name === undefined ? undefined : (this.byName.get(query.name) ?? EMPTY);
    const type = query.type === undefined ? undefined : (this.byType.get(query.type) ?? EMPTY);
    if (name && type) return name.size <= type.size ? name : type;
    return name ?? type ?? this.all;
  }

  private unlink(entry: SnekIndexEntry): void {
    this.all.remove(entry.id);
    unbucket(this.byName, entry.name, entry.id);
    unbucket(this.byType, entry.type, entry.id);
  }
}

function bucket(index: Map<string, SortedIds>, key: string): SortedIds {
  let ids = index.get(key);
  if (!ids) index.set(key, (ids = new SortedIds()));
  return ids;
}

function unbucket(index: Map<string, SortedIds>, key: string, id: string): void {
  const ids = index.get(key);
  ids?.remove(id);
  if (ids?.size === 0) index.delete(key);
}
