import { DEFAULT_HISTORY_KEEP, type SnekStore, type StorePlugin } from './contract.js';
import { beforeDeadline, secondsOf } from './deadline.js';
import { SnekError } from './errors.js';
import { STORE_KIND } from './kinds/store-kind.js';
import { loadPlugin, type PluginPhaseDone } from './plugin-loader.js';
import type { FoundPlugin } from './plugin-resolve.js';
import { describeThrown } from './thrown.js';

export interface LoadStoreOptions {
  /** `server.store.use`. */
  use: string;
  /** `server.store.options`, handed to the plugin unchanged. */
  options?: unknown;
  configDir: string;
  /** The config file, for error messages; null when there is none. */
  configFile: string | null;
  /** Says where `use` came from in errors; default "server.store.use in <configFile>". */
  origin?: string | undefined;
  /** Module URLs whose dependencies are the fallback, normally `import.meta.url` of the server. */
  fallbackFrom?: readonly string[] | undefined;
  /** How long the import and `create` may take together (`server.storeTimeout`); default 10 s. */
  initTimeoutMs?: number | undefined;
  /** `server.history.keep`, passed to the store in its context. */
  historyKeep?: number | undefined;
  /** Told as each phase succeeds: resolve, import, validate, then create. */
  onPhase?: ((done: StorePhaseDone) => void) | undefined;
}

export type StorePhaseDone = PluginPhaseDone<StorePlugin> | { phase: 'create'; store: SnekStore };

export interface LoadedStore {
  store: SnekStore;
  plugin: StorePlugin;
  found: FoundPlugin;
}

const STORE_METHODS = ['get', 'put', 'delete', 'list', 'close'] as const;

/** Loads the store named by `use` (see loadPlugin) and creates it. Built-in stores take this path too. */
export async function loadStore(options: LoadStoreOptions): Promise<LoadedStore> {
  const timeoutMs = options.initTimeoutMs ?? 10_000;
  const where = options.configFile ? ` in ${options.configFile}` : '';
  const { plugin, found, deadline } = await loadPlugin(STORE_KIND, options.use, {
    configDir: options.configDir,
    origin: options.origin ?? `server.store.use${where}`,
    fallbackFrom: options.fallbackFrom,
    timeoutMs,
    timeoutHint: `raise server.storeTimeout${where}`,
    onPhase: options.onPhase,
  });
  const store = await createStore(plugin, { ...options, timeoutMs, deadline });
  options.onPhase?.({ phase: 'create', store });
  return { store, plugin, found };
}

/** `create(options, { configDir, deadline })` in the time the import left, and a check of what it returns. */
async function createStore(plugin: StorePlugin, options: Pick<LoadStoreOptions, 'options' | 'configDir' | 'historyKeep'> & { timeoutMs: number; deadline: number }): Promise<SnekStore> {
  const { deadline } = options;
  const timedOut = () => new SnekError('STORE_INIT_FAILED', `Store "${plugin.name}" did not finish opening within ${secondsOf(options.timeoutMs)} s. Check that its storage is reachable.`);
  let store: SnekStore;
  try {
    store = await beforeDeadline(() => plugin.create(options.options, { configDir: options.configDir, deadline, history: { keep: options.historyKeep ?? DEFAULT_HISTORY_KEEP } }), deadline, timedOut);
  } catch (error) {
    // A plugin's own SnekError (STORE_OPTIONS_INVALID, STORE_LOCKED, …) already says what to do; so does the timeout.
    if (SnekError.is(error)) throw error;
    throw new SnekError('STORE_INIT_FAILED', `Store "${plugin.name}" failed to open: ${describeThrown(error)}. Check server.store.options and the storage it points to.`, { cause: error });
  }
  const missing = STORE_METHODS.filter((method) => typeof (store as unknown as Record<string, unknown> | null)?.[method] !== 'function');
  if (missing.length) {
    throw new SnekError('STORE_INVALID_EXPORT', `Store "${plugin.name}": create() returned an object without ${missing.join(', ')}. A store must implement get, put, delete, list and close.`);
  }
  return store;
}
