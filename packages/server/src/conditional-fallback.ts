import { KeyedMutex, STORE_CAPABILITIES, hasCapability, sameSnek, writesConditionally, type ConditionalWriteResult, type Snek, type SnekStore, type StoreCapabilityName, type StoreConditionalWriter, type WriteOptions } from '@snek/core';

/**
 * Conditional writes for a store that lacks them (a third-party store, examples/snek-store-level): every write of an
 * id, conditional or not, waits in that id's queue, and a conditional one reads the snek and writes only if it is the
 * expected one. That is atomic against every request of this server process, but not against another server on the
 * same storage: docs/writing-a-store.md says so, and how a store does better.
 */
export function serialiseConditionalWrites(store: SnekStore): SnekStore & StoreConditionalWriter {
  const queue = new KeyedMutex();
  // Methods bound one by one: a class-based store keeps its methods on its prototype, which a spread would drop.
  return {
    // Every capability that writes no snek passes through (the change log, snapshots, the pool, ...). Bulk writes
    // and replays are left out: they would go around the queue that makes putIf and deleteIf atomic.
    ...passThrough(store),
    get: (id) => store.get(id),
    list: (query) => store.list(query),
    close: () => store.close(),
    put: (snek, options) => queue.run(snek.id, () => store.put(snek, options)),
    delete: (id, options) => queue.run(id, () => store.delete(id, options)),
    putIf: (snek, expected, options?: WriteOptions) =>
      queue.run(snek.id, async (): Promise<ConditionalWriteResult<{ created: boolean }>> => {
        const current = await store.get(snek.id);
        if (!sameSnek(current, expected ?? undefined)) return { ok: false, current };
        return { ok: true, ...(await store.put(snek, options)) };
      }),
    deleteIf: (id: string, expected: Snek, options?: WriteOptions) =>
      queue.run(id, async (): Promise<ConditionalWriteResult<object>> => {
        const current = await store.get(id);
        if (!sameSnek(current, expected)) return { ok: false, current };
        await store.delete(id, options);
        return { ok: true };
      }),
  };
}

const SNEK_WRITERS: ReadonlySet<StoreCapabilityName> = new Set(['bulkWrite', 'bulkCreate', 'changeReplay', 'conditionalWrite']);

function passThrough(store: SnekStore): Record<string, unknown> {
  const methods: Record<string, unknown> = {};
  const target = store as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const capability of STORE_CAPABILITIES) {
    if (SNEK_WRITERS.has(capability.name) || !hasCapability(store, capability.name)) continue;
    for (const method of capability.methods) methods[method] = (...args: unknown[]) => target[method]!(...args);
  }
  return methods;
}

const fallbacks = new WeakMap<SnekStore, SnekStore & StoreConditionalWriter>();

/** The store's own conditional writes, or else the fallback above, one per store (guardStore has added it already). */
export function withConditionalWrites(store: SnekStore): SnekStore & StoreConditionalWriter {
  if (writesConditionally(store)) return store;
  let fallback = fallbacks.get(store);
  if (!fallback) fallbacks.set(store, (fallback = serialiseConditionalWrites(store)));
  return fallback;
}
