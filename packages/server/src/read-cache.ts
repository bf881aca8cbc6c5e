import { countsTypes, sameSnek, type Change, type Snek, type SnekStore, type StoreChangeLog, type TypeCount } from '@snek/core';
import type { ChangeTail } from './change-tail.js';
import type { AnswerCache } from './answer-cache.js';

/** How much the cache holds at most: entries, and characters of art (a snek's content is at most 128 KiB). */
export interface ReadCacheLimits {
  maxEntries: number;
  maxChars: number;
}

const DEFAULT_LIMITS: ReadCacheLimits = { maxEntries: 10_000, maxChars: 32 * 1024 * 1024 };

/** One id as the cache holds it: its snek and its newest change (null: none), read together and agreeing. */
interface Entry {
  snek: Snek | null;
  latest: Change | null;
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
  replayChanges: ([changes]) => (changes as Change[]).map((change) => change.id),
  // A store may settle its counts only as the load ends, after the writes in it returned.
  bulkLoad: () => [],
};

/**
 * The store as the routes see it on a server with a change log: `get(id)` and `latestChanges([id])` answer from an
 * in-process cache while the tail has read the log within `maxStaleMs`, and from the store otherwise, so no answer
 * lags a write made through another server by more than that. Each change the tail reads drops its id; this
 * process's own writes drop theirs as they return (read-your-writes on one server) and wake the tail. An entry holds
 * both answers, read together, so a snek and its updatedAt always agree; a read that was in flight when its id
 * changed does not fill the cache. `countTypes()` is kept the same way, dropped by every change: each sorted page
 * totals from it, and would otherwise ask the store for it beside its browse(). `maxStaleMs` 0: no cache, the writes
 * still wake the tail. Every other method is the store's own. `answers`, the routes' cache of answers, is cleared by
 * each write as it returns.
 */
export function cacheReads(store: SnekStore & StoreChangeLog, tail: ChangeTail, maxStaleMs: number, limits: ReadCacheLimits = DEFAULT_LIMITS, answers?: AnswerCache): SnekStore & StoreChangeLog {
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Set<Read>>();
  let chars = 0;

  const remove = (id: string) => {
    const entry = entries.get(id);
    if (!entry) return;
    chars -= entry.chars;
    entries.delete(id);
  };
  // The type counts, and a generation every change bumps, so that a count read across a change does not fill.
  let counts: TypeCount[] | undefined;
  let countsGeneration = 0;
  const dropCounts = () => {
    counts = undefined;
    countsGeneration++;
  };
  // A change of `id`: what the cache holds of it, and what the reads in flight will bring, may be older.
  const drop = (id: string) => {
    remove(id);
    for (const read of inFlight.get(id) ?? []) read.stale = true;
    dropCounts();
  };
  tail.subscribe({ change: (change) => drop(change.id) });

  const fresh = () => tail.isFresh(maxStaleMs);

  // Most recently used last: a hit moves its entry to the end, and the first entries are evicted.
  const hit = (id: string): Entry | undefined => {
    const entry = entries.get(id);
    if (!entry) return undefined;
    entries.delete(id);
    entries.set(id, entry);
    return entry;
  };

  const fill = (id: string, snek: Snek | undefined, latest: Change | undefined) => {
    remove(id);
    const entry: Entry = { snek: snek ? { ...snek } : null, latest: latest ?? null, chars: (snek?.content.length ?? 0) + (latest?.snek?.content.length ?? 0) };
    entries.set(id, entry);
    chars += entry.chars;
    for (const [oldest, old] of entries) {
      if (entries.size <= limits.maxEntries && chars <= limits.maxChars) break;
      entries.delete(oldest);
      chars -= old.chars;
    }
  };

  /**
   * The snek and its newest change, read from the store together, so that an answer made of both (a snek with its
   * updatedAt) agrees with itself. Filled only if no change of `id` was applied while they were read, and only if
   * they agree: the newest change wrote this very snek, or deleted it (a snek with no change at all agrees too).
   */
  const load = async (id: string): Promise<{ snek: Snek | undefined; latest: Change | undefined }> => {
    // Before the tail knows where the log ends, a change this read misses might never be applied: no fill.
    const pending: Read = { stale: tail.lastSeq === undefined };
    let reads = inFlight.get(id);
    if (!reads) inFlight.set(id, (reads = new Set()));
    reads.add(pending);
    try {
      const [snek, changes] = await Promise.all([store.get(id), store.latestChanges([id])]);
      const latest = changes.find((change) => change.id === id);
      const agree = latest === undefined || (latest.op === 'put' ? sameSnek(latest.snek, snek) : snek === undefined);
      if (!pending.stale && agree) fill(id, snek, latest);
      return { snek, latest };
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
            dropCounts();
            answers?.clear();
            tail.wake();
          });
        }
      : (...args: unknown[]) => method.apply(store, args);
  }
  if (maxStaleMs <= 0) return cached as unknown as SnekStore & StoreChangeLog;

  // While the tail lags, the store answers alone, one call for one call: no entry would be served anyway.
  cached['get'] = async (...args: unknown[]) => {
    const id = args[0] as string;
    if (!fresh()) return store.get(id);
    const entry = hit(id);
    const snek = entry ? entry.snek : (await load(id)).snek;
    return snek ? { ...snek } : undefined;
  };
  cached['latestChanges'] = async (...args: unknown[]) => {
    const ids = args[0] as readonly string[];
    // Pages of many ids (lists) go to the store: the cache is for GET one snek.
    if (ids.length !== 1 || !fresh()) return store.latestChanges(ids);
    const id = ids[0]!;
    const entry = hit(id);
    const latest = entry ? entry.latest : (await load(id)).latest;
    return latest ? [latest] : [];
  };
  if (countsTypes(store)) {
    cached['countTypes'] = async () => {
      if (!fresh()) return store.countTypes();
      if (!counts) {
        const since = countsGeneration;
        const read = await store.countTypes();
        if (since !== countsGeneration || tail.lastSeq === undefined) return read;
        counts = read;
      }
      return counts.map((count) => ({ ...count }));
    };
  }
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
