import { DEFAULT_CHANGES_LIMIT, MAX_CHANGES_LIMIT, type Actor, type Change, type ChangeQuery, type Snek } from '@snek/core';

/** The memory store's change log: every change in `seq` order, and each id's own, newest last, for retention. */
export class MemoryChangeLog {
  private readonly log: Change[] = [];
  private readonly byId = new Map<string, Change[]>();
  private seq = 0;

  constructor(private readonly keep: number) {}

  /** `snek` is kept as given, not copied: the store passes the very record its index holds, so a put costs no second copy of the art. Reads copy. */
  /** Returns the change's seq. */
  append(id: string, snek: Snek | undefined, actor: Actor | undefined, at = new Date().toISOString()): number {
    const change: Change = { seq: ++this.seq, id, op: snek ? 'put' : 'delete', actor: actor ? { ...actor } : null, at };
    if (snek) change.snek = snek;
    this.log.push(change);
    const own = this.byId.get(id) ?? [];
    own.push(change);
    this.byId.set(id, own);
    for (const dropped of own.splice(0, Math.max(0, own.length - this.keep))) this.log.splice(this.indexAfter(dropped.seq - 1), 1);
    return change.seq;
  }

  /** The newest seq given or replayed, kept even when retention dropped its change. */
  get newest(): number {
    return this.seq;
  }

  /** The change at `seq`, if retention kept it. */
  at(seq: number): Change | undefined {
    const found = this.log[this.indexAfter(seq - 1)];
    return found?.seq === seq ? found : undefined;
  }

  /** Appends a change made elsewhere, as it was; its seq is above every other (the store checked). */
  replay(change: Change, snek: Snek | undefined): void {
    this.seq = change.seq - 1;
    this.append(change.id, snek, change.actor ?? undefined, change.at);
  }

  read(query: ChangeQuery = {}): Change[] {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_CHANGES_LIMIT, 0), MAX_CHANGES_LIMIT);
    const after = query.after ?? 0;
    const before = query.before ?? Infinity;
    // The whole log is sliced by binary search: the server's tail reads "after" it many times a second.
    const source = query.id !== undefined ? (this.byId.get(query.id) ?? []) : this.log.slice(this.indexAfter(after), before === Infinity ? undefined : this.indexAfter(before - 1));
    const inRange = source.filter((change) => change.seq > after && change.seq < before);
    const ordered = query.order === 'desc' ? inRange.reverse() : inRange;
    return ordered.slice(0, limit).map(copy);
  }

  /** Every change kept, oldest first, in an array of its own; the changes are shared, not copied (none is changed in place). */
  kept(): Change[] {
    return this.log.slice();
  }

  latest(ids: readonly string[]): Change[] {
    return [...new Set(ids)].flatMap((id) => this.byId.get(id)?.at(-1) ?? []).map(copy);
  }

  clear(): void {
    this.log.length = 0;
    this.byId.clear();
  }

  /** The index of the first change whose seq is greater than `seq`. */
  private indexAfter(seq: number): number {
    let low = 0;
    let high = this.log.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.log[middle]!.seq <= seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

function copy(change: Change): Change {
  return { ...change, ...(change.snek ? { snek: { ...change.snek } } : {}), actor: change.actor && { ...change.actor } };
}
