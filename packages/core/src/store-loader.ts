import { SUPPORTED_STORE_API_VERSIONS, type SnekStore, type StorePlugin } from './contract.js';
import { SnekError } from './errors.js';
import { STORE_KIND, titleOf, type PluginKind } from './plugin-kind.js';
import { resolveStoreSpecifier, type ResolvedStore } from './store-specifier.js';

export interface LoadStoreOptions {
  /** `server.store.use`. */
  use: string;
  /** `server.store.options`, handed to the plugin unchanged. */
  options?: unknown;
  configDir: string;
  /** The config file, for error messages; null when there is none. */
  configFile: string | null;
  /** Module URLs whose dependencies are the fallback, normally `import.meta.url` of the server. */
  fallbackFrom?: readonly string[];
  /** How long `create` may take; default 10 s. */
  initTimeoutMs?: number;
}

export interface LoadedStore {
  store: SnekStore;
  plugin: StorePlugin;
  resolved: ResolvedStore;
}

const STORE_METHODS = ['get', 'put', 'delete', 'list', 'close'] as const;

/** Resolves, imports, checks and creates the store named by `use`. Built-in stores take this path too. */
export async function loadStore(options: LoadStoreOptions): Promise<LoadedStore> {
  const origin = options.configFile ? `server.store.use in ${options.configFile}` : 'server.store.use';
  const resolved = await resolveStoreSpecifier(options.use, { configDir: options.configDir, origin, fallbackFrom: options.fallbackFrom ?? [] });
  const module = await importStoreModule(resolved);
  const plugin = validateStorePlugin(module, resolved.specifier);
  const store = await createStore(plugin, options);
  return { store, plugin, resolved };
}

/** Phase 2 of loading: `import()` the resolved module. A failing import of its own is STORE_DEPENDENCY_MISSING. */
export function importStoreModule(resolved: ResolvedStore): Promise<Record<string, unknown>> {
  return importPluginModule(resolved, STORE_KIND);
}

/** {@link importStoreModule} for any kind of plugin, with that kind's error codes. */
export async function importPluginModule({ specifier, url }: ResolvedStore, kind: PluginKind): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const title = titleOf(kind);
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      const fix = url.includes('/node_modules/') ? `Reinstall the ${kind.noun} so that its dependencies come with it: npm install ${specifier}` : `Run npm install in the ${kind.noun}'s own folder`;
      throw new SnekError(kind.dependencyMissing, `${title} "${specifier}" was found at ${url}, but one of its own imports failed: ${firstLine(message)}. ${fix}`, { cause: error });
    }
    throw new SnekError(kind.loadFailed, `${title} "${specifier}" threw while loading from ${url}: ${firstLine(message)}. Fix or reinstall the ${kind.noun} package.`, { cause: error });
  }
}

/** Phase 3: the module's default export must be a StorePlugin of a supported apiVersion. */
export function validateStorePlugin(module: Record<string, unknown>, specifier: string): StorePlugin {
  let plugin = module['default'] as Record<string, unknown> | undefined;
  // CommonJS compiled from ESM puts the plugin at module.exports.default.
  if (plugin && typeof plugin === 'object' && !('apiVersion' in plugin) && typeof plugin['default'] === 'object') {
    plugin = plugin['default'] as Record<string, unknown>;
  }
  const exported = `it exports ${describeExports(module)}`;
  if (!plugin || typeof plugin !== 'object' || typeof plugin['create'] !== 'function' || typeof plugin['name'] !== 'string' || !('apiVersion' in plugin)) {
    throw new SnekError('STORE_INVALID_EXPORT', `Store "${specifier}" has no valid default export: ${exported}. Its default export must be defineStore({ apiVersion: 1, name, create }).`, {
      details: { exports: Object.keys(module) },
    });
  }
  if (!(SUPPORTED_STORE_API_VERSIONS as readonly unknown[]).includes(plugin['apiVersion'])) {
    throw new SnekError('STORE_API_VERSION', `Store "${specifier}" declares apiVersion ${JSON.stringify(plugin['apiVersion'])}, but this server supports ${SUPPORTED_STORE_API_VERSIONS.join(', ')}. Install a version of the store built for API ${SUPPORTED_STORE_API_VERSIONS.at(-1)}, or upgrade @snek/server.`, {
      details: { declared: plugin['apiVersion'], supported: [...SUPPORTED_STORE_API_VERSIONS] },
    });
  }
  return plugin as unknown as StorePlugin;
}

/** Phase 4: `create(options, { configDir })`, within a time limit, and a check of what it returns. */
export async function createStore(plugin: StorePlugin, options: Pick<LoadStoreOptions, 'options' | 'configDir' | 'initTimeoutMs'>): Promise<SnekStore> {
  const timeoutMs = options.initTimeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SnekError('STORE_INIT_FAILED', `Store "${plugin.name}" did not finish opening within ${timeoutMs / 1000} s. Check that its storage is reachable.`)), timeoutMs);
  });
  let store: SnekStore;
  try {
    store = await Promise.race([Promise.resolve().then(() => plugin.create(options.options, { configDir: options.configDir, deadline })), timeout]);
  } catch (error) {
    // A plugin's own SnekError (STORE_OPTIONS_INVALID, STORE_LOCKED, …) already says what to do.
    if (SnekError.is(error)) throw error;
    throw new SnekError('STORE_INIT_FAILED', `Store "${plugin.name}" failed to open: ${firstLine((error as Error)?.message ?? String(error))}. Check server.store.options and the storage it points to.`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  const missing = STORE_METHODS.filter((method) => typeof (store as unknown as Record<string, unknown>)?.[method] !== 'function');
  if (missing.length) {
    throw new SnekError('STORE_INVALID_EXPORT', `Store "${plugin.name}": create() returned an object without ${missing.join(', ')}. A store must implement get, put, delete, list and close.`);
  }
  return store;
}

export function describeExports(module: Record<string, unknown>): string {
  const keys = Object.keys(module);
  if (!keys.length) return 'nothing';
  return keys.map((key) => `${key} (${module[key] === null ? 'null' : typeof module[key]})`).join(', ');
}

export function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
