import { DEFAULT_CHANGES_LIMIT, MAX_CHANGES_LIMIT, type Change, type ChangeQuery } from '@snek/core';

/**
 * The change log in memory: the changes retention keeps, in seq order, and each id's own, newest last. It is what
 * the journal holds once compacted, so reads never touch the disk. A change retention drops is only marked in the
 * seq-ordered array, which is swept once half of it is marked: dropping stays O(1) however long the log.
 */
export class RetainedChanges {
  private log: Change[] = [];
  private readonly byId = new Map<string, Change[]>();
  private readonly dropped = new Set<Change>();

  constructor(readonly keep: number) {}

  /** How many changes retention keeps. */
  get size(): number {
    return this.log.length - this.dropped.size;
  }

  /** The journal's changes, oldest first, as read at open: retention is applied once, for the lot. */
  load(changes: readonly Change[]): void {
    for (const change of changes) this.push(change);
    for (const own of this.byId.values()) if (own.length > this.keep) for (const old of own.splice(0, own.length - this.keep)) this.dropped.add(old);
    this.sweep();
  }

  /** Appends `change`, whose seq is above every other, and drops the oldest of its id past `keep`. */
  add(change: Change): void {
    const own = this.push(change);
    if (own.length > this.keep) for (const old of own.splice(0, own.length - this.keep)) this.dropped.add(old);
    if (this.dropped.size > this.log.length / 2) this.sweep();
  }

  /** The change at `seq`, if retention kept it. */
  at(seq: number): Change | undefined {
    const found = this.log[indexAbove(this.log, seq - 1)];
    return found?.seq === seq && !this.dropped.has(found) ? found : undefined;
  }

  newest(id: string): Change | undefined {
    return this.byId.get(id)?.at(-1);
  }

  ids(): IterableIterator<string> {
    return this.byId.keys();
  }

  /** Every change kept, oldest first: what a compacted journal holds. */
  *all(): Generator<Change> {
    for (const change of this.log) if (!this.dropped.has(change)) yield change;
  }

  read(query: ChangeQuery = {}): Change[] {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_CHANGES_LIMIT, 0), MAX_CHANGES_LIMIT);
    const after = query.after ?? 0;
    const before = query.before ?? Infinity;
    const source = query.id === undefined ? this.log : (this.byId.get(query.id) ?? []);
    const found: Change[] = [];
    // Both arrays are in seq order: a binary search finds where the range starts, at either end.
    if (query.order === 'desc') {
      for (let i = indexAbove(source, before - 1) - 1; i >= 0 && found.length < limit && source[i]!.seq > after; i--) this.collect(source[i]!, found);
    } else {
      for (let i = indexAbove(source, after); i < source.length && found.length < limit && source[i]!.seq < before; i++) this.collect(source[i]!, found);
    }
    return found;
  }

  latest(ids: readonly string[]): Change[] {
    return [...new Set(ids)].flatMap((id) => {
      const change = this.newest(id);
      return change ? [copy(change)] : [];
    });
  }

  clear(): void {
    this.log = [];
    this.byId.clear();
    this.dropped.clear();
  }

  private push(change: Change): Change[] {
    this.log.push(change);
    const own = this.byId.get(change.id);
    if (own) own.push(change);
    else this.byId.set(change.id, [change]);
    return own ?? this.byId.get(change.id)!;
  }

  private collect(change: Change, found: Change[]): void {
    if (!this.dropped.has(change)) found.push(copy(change));
  }

  private sweep(): void {
    this.log = this.log.filter((change) => !this.dropped.has(change));
    this.dropped.clear();
  }
}

/** The index of the first change in `changes` (in seq order) whose seq is above `seq`. */
function indexAbove(changes: readonly Change[], seq: number): number {
  let low = 0;
  let high = changes.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (changes[middle]!.seq <= seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

function copy(change: Change): Change {
  return { ...change, ...(change.snek ? { snek: { ...change.snek } } : {}), actor: change.actor && { ...change.actor } };
}
