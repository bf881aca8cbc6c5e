import { STORE_CAPABILITIES, SnekError, hasCapability, takesSnapshots, type SnapshotView, type SnekStore, type StoreSnapshot } from '@snek/core';
import { withConditionalWrites } from './conditional-fallback.js';
import type { ServerMetrics, StoreOperationTimer } from './metrics.js';

// Errno and SQLite codes that mean the disk has no room; anything else a store throws means it cannot serve.
const FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

function storeFailure(error: unknown, storeName: string, method: string): SnekError {
  if (SnekError.is(error)) return error;
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const reason = code ?? message ?? String(error);
  if (code && FULL.has(code)) {
    return new SnekError('STORE_FULL', `The ${storeName} store's disk is full (${reason}), so ${method} failed and changed nothing. Free some space; reads still work.`, { cause: error });
  }
  return new SnekError('STORE_UNAVAILABLE', `The ${storeName} store failed on ${method} (${reason}). Check its storage; the server keeps serving what it can.`, { cause: error });
}

type Methods = Record<string, (...args: unknown[]) => Promise<unknown>>;

/**
 * The store as routes see it: every failure becomes a SnekError, so a broken disk or a buggy plugin
 * answers 503 (or 507 when full) instead of 500, and the server stays up. Every optional capability in core's
 * STORE_CAPABILITIES that the store has is wrapped the same way. A store without conditional writes gets the
 * server's own, serialised per id within this process (see conditional-fallback.ts). With `metrics`, every call is
 * timed, and every failure counted by its code.
 */
export function guardStore(store: SnekStore, storeName: string, metrics?: ServerMetrics): SnekStore {
  // A plain .catch, not an async wrapper: one promise fewer on every request.
  const guard = <A extends unknown[], R>(method: string, call: (...args: A) => Promise<R>) => {
    const fail = (error: unknown): Promise<never> => Promise.reject(storeFailure(error, storeName, method));
    if (metrics) return timed(metrics.storeOperation(storeName, method), call, fail);
    return (...args: A): Promise<R> => {
      try {
        return Promise.resolve(call(...args)).catch(fail);
      } catch (error) {
        return fail(error);
      }
    };
  };
  const guarded: SnekStore = {
    get: guard('get', (id: string) => store.get(id)),
    put: guard('put', (snek, options) => store.put(snek, options)),
    delete: guard('delete', (id: string, options) => store.delete(id, options)),
    list: guard('list', (query) => store.list(query)),
    close: () => store.close(),
  };
  const source = store as unknown as Methods;
  const target = guarded as unknown as Methods;
  for (const capability of STORE_CAPABILITIES) {
    if (!hasCapability(store, capability.name)) continue;
    for (const method of capability.methods) target[method] = guard(method, (...args: unknown[]) => source[method]!.apply(store, args));
  }
  // A snapshot's own reads fail as the store's other calls do: export and migrate then say which store, not "unexpected".
  if (takesSnapshots(store)) {
    const snapshot = guard('snapshot', () => store.snapshot());
    (guarded as SnekStore & StoreSnapshot).snapshot = async () => guardSnapshot(await snapshot(), storeName);
  }
  return withConditionalWrites(guarded);
}

/** `view` with every failure of its batches and of close() turned into a SnekError, as {@link guardStore} does. */
function guardSnapshot(view: SnapshotView, storeName: string): SnapshotView {
  return {
    seq: view.seq,
    sneks: (batch) => guardBatches(() => view.sneks(batch), storeName, 'snapshot sneks'),
    changes: (batch) => guardBatches(() => view.changes(batch), storeName, 'snapshot changes'),
    close: async () => {
      try {
        await view.close();
      } catch (error) {
        throw storeFailure(error, storeName, 'snapshot close');
      }
    },
  };
}

async function* guardBatches<T>(read: () => AsyncIterable<T>, storeName: string, method: string): AsyncGenerator<T> {
  try {
    yield* read();
  } catch (error) {
    throw storeFailure(error, storeName, method);
  }
}

/** The guard's wrapper when the server keeps metrics: each call's time, and the code of each failure. */
function timed<A extends unknown[], R>(timer: StoreOperationTimer, call: (...args: A) => Promise<R>, fail: (error: unknown) => Promise<never>) {
  return (...args: A): Promise<R> => {
    const startedAt = performance.now();
    const failed = (error: unknown): Promise<never> =>
      fail(error).catch((snekError: SnekError) => {
        timer.failed(startedAt, snekError);
        throw snekError;
      });
    try {
      return Promise.resolve(call(...args)).then((result) => {
        timer.done(startedAt);
        return result;
      }, failed);
    } catch (error) {
      return failed(error);
    }
  };
}
