import type { Change, SnapshotView } from './contract.js';
import { SnekError } from './errors.js';
import type { Snek } from './snek.js';

/** `sneks()` and `changes()` read this many per batch when given no size. */
export const DEFAULT_SNAPSHOT_BATCH = 1000;

/** What a store gives {@link snapshotView}: keyset reads of one moment, and how to let it go. */
export interface SnapshotSource {
  /** The newest change the moment includes (0 without a log). */
  seq: number;
  /** Up to `limit` sneks whose id is above `after` ('' from the start), in id order. */
  sneksAfter(after: string, limit: number): Snek[] | Promise<Snek[]>;
  /** Up to `limit` changes whose seq is above `after` and at most `seq`, oldest first. */
  changesAfter(after: number, limit: number): Change[] | Promise<Change[]>;
  /** Ends the read (a transaction, a connection); called once. */
  release(): void | Promise<void>;
  /** For errors: "the sqlite snapshot of /data/sneks.db". */
  label: string;
}

/**
 * A {@link SnapshotView} over keyset reads: batches never exceed their size and an empty store yields none. One read
 * runs at a time and close() waits for it, so a store never releases a connection under a query.
 */
export function snapshotView(source: SnapshotSource): SnapshotView {
  let closed: Promise<void> | undefined;
  let reading: Promise<unknown> = Promise.resolve();
  const read = <T>(run: () => T | Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new SnekError('STORE_CLOSED', `${source.label} is closed. Take a new snapshot.`));
    const next = reading.then(() => {
      if (closed) throw new SnekError('STORE_CLOSED', `${source.label} was closed while it was read. Take a new snapshot.`);
      return run();
    });
    reading = next.catch(() => undefined);
    return next;
  };
  return {
    seq: source.seq,
    sneks: (batch) => batches(batchSize(batch), (limit, last: Snek | undefined) => read(() => source.sneksAfter(last?.id ?? '', limit))),
    changes: (batch) => batches(batchSize(batch), (limit, last: Change | undefined) => read(() => source.changesAfter(last?.seq ?? 0, limit))),
    close() {
      closed ??= reading.then(() => source.release());
      return closed;
    },
  };
}

function batchSize(batch: number | undefined): number {
  return batch === undefined || !Number.isFinite(batch) ? DEFAULT_SNAPSHOT_BATCH : Math.max(1, Math.floor(batch));
}

async function* batches<T>(limit: number, next: (limit: number, last: T | undefined) => Promise<T[]>): AsyncGenerator<T[]> {
  let last: T | undefined;
  for (;;) {
    const batch = await next(limit, last);
    if (batch.length === 0) return;
    yield batch;
    if (batch.length < limit) return;
    last = batch.at(-1);
  }
}

/**
 * A {@link SnapshotSource} over arrays a store copied at one moment (memory, fs): `sneks` in id order and `changes` in
 * seq order. The arrays hold the store's own records, which it never changes in place, so copying them costs one
 * pointer per snek; reads give copies of their own.
 */
export function arraySnapshot(moment: { sneks: readonly Snek[]; changes: readonly Change[]; label: string; release?: () => void }): SnapshotSource {
  const { sneks, changes } = moment;
  return {
    seq: changes.at(-1)?.seq ?? 0,
    sneksAfter: (after, limit) => {
      const from = firstIndex(sneks.length, (i) => sneks[i]!.id > after);
      return sneks.slice(from, from + limit).map((snek) => ({ ...snek }));
    },
    changesAfter: (after, limit) => {
      const from = firstIndex(changes.length, (i) => changes[i]!.seq > after);
      return changes.slice(from, from + limit).map((change) => ({ ...change, ...(change.snek ? { snek: { ...change.snek } } : {}), actor: change.actor && { ...change.actor } }));
    },
    release: () => moment.release?.(),
    label: moment.label,
  };
}

/** The first index in [0, length) where `above` holds, given that it holds from some index on. */
function firstIndex(length: number, above: (i: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (above(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}
