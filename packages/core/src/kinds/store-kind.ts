import { SUPPORTED_STORE_API_VERSIONS, type StorePlugin } from '../contract.js';
import type { PluginKind } from '../plugin-kind.js';

/** Stores: `server.store.use`, `@snek/store-x` or `snek-store-x`, a default export of defineStore(). */
export const STORE_KIND: PluginKind<StorePlugin> = {
  prefix: 'store',
  noun: 'store',
  codes: {
    notFound: 'STORE_NOT_FOUND',
    dependencyMissing: 'STORE_DEPENDENCY_MISSING',
    loadFailed: 'STORE_INIT_FAILED',
    invalidExport: 'STORE_INVALID_EXPORT',
    apiVersion: 'STORE_API_VERSION',
  },
  apiVersions: SUPPORTED_STORE_API_VERSIONS,
  expectedExport: 'defineStore({ apiVersion: 1, name, create })',
  hasShape: (value) => typeof value['create'] === 'function' && typeof value['name'] === 'string',
  accept: (value) => value as unknown as StorePlugin,
  // The package found, as an author publishes it.
  name: ({ specifier }) => `Store "${specifier}"`,
};
