import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, type BrowseQuery, type SearchQuery, type SnekQuery, type SnekSort, type SortPosition, type TypeCount } from './contract.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { browseSlots } from './index-browse.js';
import { searchSlots } from './index-search.js';
import { compareKeys, foldCase, naturalKey, type SearchRank } from './search.js';
import { foldedTrigrams } from './search-keys.js';
import { SortedIds, addToBucket, idsIn, removeFromBucket, type IdBuckets } from './id-buckets.js';
import { SortedRun } from './sorted-run.js';
import { TrigramPostings } from './trigram-postings.js';

/** What an index keeps of a snek: enough to filter and order, not the art. */
export interface SnekIndexEntry {
  id: string;
  name: string;
  type: string;
}

/** Which orders and postings an index keeps; each is built on its first read and then kept through every write. */
interface Derived {
  id?: SortedRun;
  name?: SortedRun;
  updated?: SortedRun;
  postings?: TrigramPostings;
}

// Slots retired from the postings wait for one sweep of every posting, once there are this many and as many as live
// sneks: a sweep costs O(postings), so a write pays O(1) for it on average.
const MIN_SWEEP = 1024;

/**
 * An in-memory index of sneks by id, name and type, for stores whose storage cannot filter or order by
 * itself. It keeps each entry it is given (a store may give it whole sneks and keep no other map), and
 * `page` answers a {@link SnekQuery} without scanning every snek; `browse` and `search` answer core's sorted pages
 * and ranked search from orders and trigram postings kept through every write. Each is built on its first read,
 * so that opening or filling a store costs none of them: at 100,000 sneks the first browse of a sort takes about
 * 0.2 s more, the first search (the name order and the postings) about 0.6 s.
 *
 * Each entry lives in a slot (a small number), which the orders and postings hold instead of the id.
 */
export class SnekIndex<E extends SnekIndexEntry = SnekIndexEntry> {
  private readonly slots = new Map<string, number>();
  private entryAt: Array<E | undefined> = [];
  /** The seq of each slot's newest change (0 when none): its key in the `updated` order. */
  private seqAt: number[] = [];
  /** naturalKey of each slot's name, while the name order is kept. */
  private keyAt: Array<string | undefined> = [];
  private nameGrams = new Uint16Array(0);
  private free: number[] = [];
  /** Slots whose entry left or was renamed while postings still list them; reused after a sweep. */
  private retired: number[] = [];
  private derived: Derived = {};
  private all = new SortedIds();
  // A name usually belongs to one snek: such a bucket is just that id, ~200 bytes less than a SortedIds.
  private readonly byName: IdBuckets = new Map();
  private readonly byType: IdBuckets = new Map();

  get size(): number {
    return this.slots.size;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** The entry kept for `id`, as it was given to `set`. */
  get(id: string): E | undefined {
    const slot = this.slots.get(id);
    return slot === undefined ? undefined : this.entryAt[slot];
  }

  /** The seq of the newest change of `id`, as given to `set` (0 when none); undefined when there is no such entry. */
  seqOf(id: string): number | undefined {
    const slot = this.slots.get(id);
    return slot === undefined ? undefined : this.seqAt[slot];
  }

  /**
   * Adds or replaces an entry, keeping `entry` itself; returns true when the id was new. `seq` is the seq of the
   * change that wrote it (0 for a store without a change log): its place in the `updated` order.
   */
  set(entry: E, seq = 0): boolean {
    const previous = this.slots.get(entry.id);
    let slot = previous;
    if (previous !== undefined) {
      const old = this.entryAt[previous]!;
      this.unlink(old);
      this.unorder(previous);
      // The postings list a slot under its name's trigrams: a new name takes a new slot.
      if (this.derived.postings && old.name !== entry.name) {
        this.retire(previous);
        slot = undefined;
      }
    }
    const grams = slot === undefined;
    slot ??= this.allocate();
    this.slots.set(entry.id, slot);
    this.entryAt[slot] = entry;
    this.seqAt[slot] = seq;
    this.all.add(entry.id);
    addToBucket(this.byName, entry.name, entry.id);
    addToBucket(this.byType, entry.type, entry.id);
    this.order(slot, grams);
    return previous === undefined;
  }

  /** Every entry in id order, in an array of its own: the index at this moment, which later writes leave alone. */
  ordered(): E[] {
    return Array.from(this.all.after(undefined), (id) => this.get(id)!);
  }

  /** Removes an entry; returns false when there was none. */
  delete(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    this.unlink(this.entryAt[slot]!);
    this.unorder(slot);
    this.slots.delete(id);
    if (this.derived.postings) this.retire(slot);
    else this.release(slot);
    return true;
  }

  clear(): void {
    this.slots.clear();
    this.entryAt = [];
    this.seqAt = [];
    this.keyAt = [];
    this.nameGrams = new Uint16Array(0);
    this.free = [];
    this.retired = [];
    this.derived = {};
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
      const entry = this.get(id)!;
      if ((query.name !== undefined && entry.name !== query.name) || (query.type !== undefined && entry.type !== query.type)) continue;
      if (entries.length === limit) return { entries, nextCursor: encodeCursor(entries.at(-1)!.id) };
      entries.push(entry);
    }
    return { entries, nextCursor: null };
  }

  /** Sneks per type, sorted by type in code-unit order: the type buckets' sizes, kept by every write, one step per type. */
  countTypes(): TypeCount[] {
    return [...this.byType]
      .map(([type, ids]) => ({ type, count: typeof ids === 'string' ? 1 : ids.size }))
      .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  }

  /** A page of {@link StoreBrowse.browse}, in `compareSortPositions` order. */
  browse(query: BrowseQuery): { items: Array<{ entry: E; position: SortPosition }>; more: boolean } {
    const run = this.orderOf(query.sort);
    const position = (slot: number) => this.position(query.sort, slot);
    const { slots, more } = browseSlots({ run, position, type: (slot) => this.entryAt[slot]!.type, typeSize: (type) => this.typeSize(type), slotsOfType: (type) => this.slotsOfType(type) }, query);
    return { items: slots.map((slot) => ({ entry: this.entryAt[slot]!, position: position(slot) })), more };
  }

  /** A page of {@link StoreSearch.search}: the results and order of `rankSneks` over every entry (see NEAR_MISS_POSTINGS). */
  search(query: SearchQuery): { items: Array<{ entry: E; rank: SearchRank }>; more: boolean } {
    const names = this.orderOf('name');
    const postings = this.postings();
    const entry = (slot: number) => this.entryAt[slot]!;
    const { items, more } = searchSlots(
      {
        names,
        postings,
        slotLimit: this.entryAt.length,
        id: (slot) => entry(slot).id,
        name: (slot) => entry(slot).name,
        type: (slot) => entry(slot).type,
        key: (slot) => this.keyAt[slot]!,
        nameGrams: this.nameGrams,
        live: (slot) => this.entryAt[slot] !== undefined,
        types: () => this.byType.keys(),
        typeSize: (type) => this.typeSize(type),
        slotsOfType: (type) => this.slotsOfType(type),
      },
      query,
    );
    return { items: items.map(({ slot, rank }) => ({ entry: entry(slot), rank })), more };
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

  private typeSize(type: string): number {
    const ids = this.byType.get(type);
    return ids === undefined ? 0 : typeof ids === 'string' ? 1 : ids.size;
  }

  private slotsOfType(type: string): number[] {
    return Array.from(idsIn(this.byType, type).after(undefined), (id) => this.slots.get(id)!);
  }

  private position(sort: SnekSort, slot: number): SortPosition {
    const id = this.entryAt[slot]!.id;
    if (sort === 'id') return { key: id, id };
    if (sort === 'name') return { key: this.keyAt[slot]!, id };
    return { key: this.seqAt[slot]!, id };
  }

  /** The order of `sort`, built now if this is its first read. */
  private orderOf(sort: SnekSort): SortedRun {
    const built = this.derived[sort];
    if (built) return built;
    if (sort === 'name') for (const slot of this.slots.values()) this.keyAt[slot] = naturalKey(this.entryAt[slot]!.name);
    const id = (slot: number) => this.entryAt[slot]!.id;
    const compare: Record<SnekSort, (a: number, b: number) => number> = {
      id: (a, b) => compareKeys(id(a), id(b)),
      name: (a, b) => compareKeys(this.keyAt[a]!, this.keyAt[b]!) || compareKeys(id(a), id(b)),
      updated: (a, b) => this.seqAt[b]! - this.seqAt[a]! || compareKeys(id(a), id(b)),
    };
    return (this.derived[sort] = SortedRun.of([...this.slots.values()], compare[sort]));
  }

  /** The trigram postings, built now if this is the first search. */
  private postings(): TrigramPostings {
    if (this.derived.postings) return this.derived.postings;
    const postings = (this.derived.postings = new TrigramPostings());
    for (const slot of this.slots.values()) this.addGrams(slot);
    return postings;
  }

  private addGrams(slot: number): void {
    const entry = this.entryAt[slot]!;
    const nameGrams = foldedTrigrams(foldCase(entry.name));
    if (this.nameGrams.length <= slot) {
      const grown = new Uint16Array(Math.max(1024, this.entryAt.length * 2));
      grown.set(this.nameGrams);
      this.nameGrams = grown;
    }
    this.nameGrams[slot] = nameGrams.size;
    this.derived.postings!.add(slot, nameGrams, foldedTrigrams(foldCase(entry.id)));
  }

  /** Puts `slot` into every order kept, and into the postings when `grams` (a new slot). */
  private order(slot: number, grams: boolean): void {
    const { id, name, updated, postings } = this.derived;
    if (name) this.keyAt[slot] = naturalKey(this.entryAt[slot]!.name);
    id?.add(slot);
    name?.add(slot);
    updated?.add(slot);
    if (postings && grams) this.addGrams(slot);
  }

  /** Takes `slot` out of every order, while its entry, key and seq still say where it is. */
  private unorder(slot: number): void {
    const { id, name, updated } = this.derived;
    id?.remove(slot);
    name?.remove(slot);
    updated?.remove(slot);
  }

  private allocate(): number {
    return this.free.pop() ?? this.entryAt.length;
  }

  private release(slot: number): void {
    this.entryAt[slot] = undefined;
    this.keyAt[slot] = undefined;
    this.free.push(slot);
  }

  private retire(slot: number): void {
    this.entryAt[slot] = undefined;
    this.keyAt[slot] = undefined;
    this.retired.push(slot);
    if (this.retired.length < Math.max(MIN_SWEEP, this.slots.size)) return;
    const retired = new Uint8Array(this.entryAt.length);
    for (const old of this.retired) retired[old] = 1;
    this.derived.postings!.purge((old) => retired[old] === 1);
    this.free.push(...this.retired);
    this.retired = [];
  }
}
