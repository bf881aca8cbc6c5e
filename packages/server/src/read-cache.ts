import type { Change, Snek, SnekStore, StoreChangeLog } from '@snek/core';
import type { ChangeTail } from './change-tail.js';

/** How much the cache holds at most: entries, and characters of art (a snek's content is at most 128 KiB). */
export interface ReadCacheLimits {
  maxEntries: number;
  maxChars: number;
}

const DEFAULT_LIMITS: ReadCacheLimits = { maxEntries: 10_000, maxChars: 32 * 1024 * 1024 };

/** What the cache knows of one id: its snek (null: none) and its newest change (null: none), each once read. */
interface Entry {
  snek?: Snek | null;
  latest?: Change | null;
  chars: number;
}

/** A store read in flight; `stale` once a change of its id was applied after it started, so it must not fill. */
interface Read {
  stale: boolean;
}

type Methods = Record<string, (...args: unknown[]) => Promise<unknown>>;

// Methods that write, and the ids each call writes.
const WRITES: Record<string, (args: unknown[]) => string[]> = {
  put: ([snek]) => [(snek as Snek).id],
  delete: ([id]) => [id as string],
  putIf: ([snek]) => [(snek as Snek).id],
  deleteIf: ([id]) => [id as string],
  putMany: ([sneks]) => (sneks as Snek[]).map((snek) => snek.id),
  createMany: ([sneks]) => (sneks as Snek[]).map((snek) => snek.id),
};

/**
 * The store as the routes see it on a server with a change log: `get(id)` and `latestChanges([id])` answer from an
 * in-process cache while the tail has read the log within `maxStaleMs`, and from the store otherwise, so no answer
 * lags a write made through another server by more than that. Each change the tail reads drops its id; this
 * process's own writes drop theirs as they return (read-your-writes on one server) and wake the tail. A read that
 * was in flight when its id changed does not fill the cache. `maxStaleMs` 0: no cache, the writes still wake the
 * tail. Every other method is the store's own.
 */
export function cacheReads(store: SnekStore & StoreChangeLog, tail: ChangeTail, maxStaleMs: number, limits: ReadCacheLimits = DEFAULT_LIMITS): SnekStore & StoreChangeLog {
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Set<Read>>();
  let chars = 0;

  const drop = (id: string) => {
    const entry = entries.get(id);
    if (entry) {
      chars -= entry.chars;
      entries.delete(id);
    }
    for (const read of inFlight.get(id) ?? []) read.stale = true;
  };
  tail.subscribe({ change: (change) => drop(change.id) });

  const fresh = () => maxStaleMs > 0 && Date.now() - tail.lastReadStartedAt <= maxStaleMs;

  // Most recently used last: a hit moves its entry to the end, and the first entries are evicted.
  const hit = (id: string): Entry | undefined => {
    const entry = entries.get(id);
    if (!entry) return undefined;
    entries.delete(id);
    entries.set(id, entry);
    return entry;
  };

  const fill = (id: string, update: (entry: Entry) => void) => {
    const entry = entries.get(id) ?? { chars: 0 };
    entries.delete(id);
    chars -= entry.chars;
    update(entry);
    entry.chars = (entry.snek?.content.length ?? 0) + (entry.latest?.snek?.content.length ?? 0);
    entries.set(id, entry);
    chars += entry.chars;
    for (const [oldest, old] of entries) {
      if (entries.size <= limits.maxEntries && chars <= limits.maxChars) break;
      entries.delete(oldest);
      chars -= old.chars;
    }
  };

  /** Reads from the store, filling the cache only if no change of `id` was applied meanwhile. */
  const readThrough = async <T>(id: string, read: () => Promise<T>, keep: (entry: Entry, value: T) => void): Promise<T> => {
    // Before the tail knows where the log ends, a change this read misses might never be applied: no fill.
    const pending: Read = { stale: tail.lastSeq === undefined };
    let reads = inFlight.get(id);
    if (!reads) inFlight.set(id, (reads = new Set()));
    reads.add(pending);
    try {
      const value = await read();
      if (!pending.stale) fill(id, (entry) => keep(entry, value));
      return value;
    } finally {
      reads.delete(pending);
      if (!reads.size) inFlight.delete(id);
    }
  };

  const source = store as unknown as Methods;
  const cached = {} as Methods;
  for (const name of Object.keys(store).concat(methodsOf(store))) {
    const method = source[name];
    if (typeof method !== 'function' || name in cached) continue;
    const idsOf = WRITES[name];
    cached[name] = idsOf
      ? (...args: unknown[]) => {
          const ids = idsOf(args);
          return method.apply(store, args).finally(() => {
            for (const id of ids) drop(id);
            tail.wake();
          });
        }
      : (...args: unknown[]) => method.apply(store, args);
  }
  if (maxStaleMs <= 0) return cached as unknown as SnekStore & StoreChangeLog;

  cached['get'] = async (...args: unknown[]) => {
    const id = args[0] as string;
    const entry = fresh() ? hit(id) : undefined;
    if (entry?.snek !== undefined) return entry.snek ? { ...entry.snek } : undefined;
    // The snek comes from the store, so its change must too: a change cached earlier (by a PUT's answer) may be older
    // than the snek, and the answer would credit the snek to the wrong write.
    if (entry) entry.latest = undefined;
    return readThrough(id, () => store.get(id), (into, snek) => (into.snek = snek ? { ...snek } : null));
  };
  cached['latestChanges'] = async (...args: unknown[]) => {
    const ids = args[0] as readonly string[];
    // Pages of many ids (lists) go to the store: the cache is for GET one snek.
    if (ids.length !== 1) return store.latestChanges(ids);
    const id = ids[0]!;
    const entry = fresh() ? hit(id) : undefined;
    if (entry?.latest !== undefined) return entry.latest ? [entry.latest] : [];
    return readThrough(id, () => store.latestChanges(ids), (into, changes) => (into.latest = changes.find((change) => change.id === id) ?? null));
  };
  return cached as unknown as SnekStore & StoreChangeLog;
}

/** The method names of a store object and its prototypes (a class-based store keeps them there). */
function methodsOf(store: object): string[] {
  const names: string[] = [];
  for (let proto = Object.getPrototypeOf(store) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    names.push(...Object.getOwnPropertyNames(proto).filter((name) => name !== 'constructor'));
  }
  return names;
}
