import { SnekError, countsTypes, keepsSeedLedger, reportsStatus, writesInBulk, type Snek, type SnekStore, type StoreBulkWriter, type StoreSeedLedger, type StoreTypeCounter } from '@snek/core';

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

/**
 * The store as routes see it: every failure becomes a SnekError, so a broken disk or a buggy plugin
 * answers 503 (or 507 when full) instead of 500, and the server stays up.
 */
export function guardStore(store: SnekStore, storeName: string): SnekStore {
  // A plain .catch, not an async wrapper: one promise fewer on every request.
  const guard = <A extends unknown[], R>(method: string, call: (...args: A) => Promise<R>) => {
    const fail = (error: unknown): Promise<never> => Promise.reject(storeFailure(error, storeName, method));
    return (...args: A): Promise<R> => {
      try {
        return Promise.resolve(call(...args)).catch(fail);
      } catch (error) {
        return fail(error);
      }
    };
  };
  const guarded: SnekStore & { status?: () => Promise<Record<string, unknown>> } = {
    get: guard('get', (id: string) => store.get(id)),
    put: guard('put', (snek) => store.put(snek)),
    delete: guard('delete', (id: string) => store.delete(id)),
    list: guard('list', (query) => store.list(query)),
    close: () => store.close(),
  };
  if (reportsStatus(store)) guarded.status = guard('status', () => store.status());
  if (writesInBulk(store)) (guarded as SnekStore & StoreBulkWriter).putMany = guard('putMany', (sneks: readonly Snek[]) => store.putMany(sneks));
  if (countsTypes(store)) (guarded as SnekStore & StoreTypeCounter).countTypes = guard('countTypes', () => store.countTypes());
  if (keepsSeedLedger(store)) {
    const ledger = guarded as SnekStore & StoreSeedLedger;
    ledger.seeded = guard('seeded', (ids: readonly string[]) => store.seeded(ids));
    ledger.recordSeeded = guard('recordSeeded', (ids: readonly string[]) => store.recordSeeded(ids));
  }
  return guarded;
}
