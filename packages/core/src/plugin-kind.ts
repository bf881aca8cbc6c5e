import type { SnekErrorCode } from './errors.js';

/**
 * What the loader is resolving and importing: stores and packs are found and imported the same way, and differ
 * only in their name prefix (`@snek/store-x`, `@snek/pack-x`), their error codes and the words of their messages.
 */
export interface PluginKind {
  /** The prefix of package names and the noun in messages: "store" or "pack". */
  noun: 'store' | 'pack';
  /** Nothing found under any candidate. */
  notFound: SnekErrorCode;
  /** Found, but its entry point cannot be loaded. */
  invalidExport: SnekErrorCode;
  /** Found, but one of its own imports is missing. */
  dependencyMissing: SnekErrorCode;
  /** Found, but it threw while loading. */
  loadFailed: SnekErrorCode;
}

export const STORE_KIND: PluginKind = {
  noun: 'store',
  notFound: 'STORE_NOT_FOUND',
  invalidExport: 'STORE_INVALID_EXPORT',
  dependencyMissing: 'STORE_DEPENDENCY_MISSING',
  loadFailed: 'STORE_INIT_FAILED',
};

export const PACK_KIND: PluginKind = {
  noun: 'pack',
  notFound: 'PACK_NOT_FOUND',
  invalidExport: 'PACK_INVALID_EXPORT',
  dependencyMissing: 'PACK_DEPENDENCY_MISSING',
  loadFailed: 'PACK_LOAD_FAILED',
};

/** "Store" or "Pack", to start a message. */
export function titleOf(kind: PluginKind): string {
  return kind.noun[0]!.toUpperCase() + kind.noun.slice(1);
}
