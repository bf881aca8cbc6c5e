import type { LoadStoreOptions, LoadedConfig } from '@snek/core';

/** How the server loads its store: from the config's folder first, then from the server's own dependencies. */
export function storeLoadOptions({ config, filepath, configDir }: LoadedConfig): LoadStoreOptions {
  return {
    use: config.server.store.use,
    options: config.server.store.options,
    configDir,
    configFile: filepath,
    // This module's URL: resolving from here reaches the built-in stores @snek/server depends on.
    fallbackFrom: [import.meta.url],
    initTimeoutMs: config.server.storeTimeout * 1000,
    historyKeep: config.server.historyKeep,
  };
}
