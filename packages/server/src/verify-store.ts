import { randomBytes } from 'node:crypto';
import { SnekError, createStore, importStoreModule, resolveStoreSpecifier, validateStorePlugin, type LoadedConfig, type SnekStore } from '@snek/core';
import { storeLoadOptions } from './store-load-options.js';

export interface VerifyStoreOptions {
  loaded: LoadedConfig;
  /** A store to check instead of server.store.use. */
  use?: string | undefined;
  /** Options instead of server.store.options. */
  options?: unknown;
  write: (line: string) => void;
}

const PHASE_WIDTH = 9;

/**
 * `snek-server verify-store`: loads a store exactly as the server would, phase by phase (resolve,
 * import, validate, create, smoke), printing what each found. Stops at the first failure.
 */
export async function verifyStore({ loaded, use, options, write }: VerifyStoreOptions): Promise<boolean> {
  const load = storeLoadOptions(loaded);
  if (use !== undefined) load.use = use;
  if (options !== undefined) load.options = options;
  const origin = use !== undefined ? 'verify-store' : loaded.filepath ? `server.store.use in ${loaded.filepath}` : 'server.store.use (default)';
  const phase = async <T>(name: string, run: () => Promise<T>, describe: (value: T) => string): Promise<T> => {
    try {
      const value = await run();
      write(`ok    ${name.padEnd(PHASE_WIDTH)} ${describe(value)}`);
      return value;
    } catch (error) {
      write(`FAIL  ${name.padEnd(PHASE_WIDTH)} ${SnekError.is(error) ? `${error.code}: ${error.message}` : String((error as Error)?.message ?? error)}`);
      throw error;
    }
  };
  let store: SnekStore | undefined;
  try {
    const resolved = await phase('resolve', () => resolveStoreSpecifier(load.use, { configDir: load.configDir, origin, fallbackFrom: load.fallbackFrom ?? [] }), (r) => `"${load.use}" is ${r.specifier} at ${r.url}`);
    const module = await phase('import', () => importStoreModule(resolved), (m) => `exports ${Object.keys(m).join(', ') || 'nothing'}`);
    const plugin = await phase('validate', async () => validateStorePlugin(module, resolved.specifier), (p) => `store "${p.name}", apiVersion ${p.apiVersion}`);
    const started = Date.now();
    store = await phase('create', () => createStore(plugin, load), () => `opened in ${Date.now() - started} ms with options ${withoutPasswords(JSON.stringify(load.options ?? {}))}`);
    const opened = store;
    await phase('smoke', () => smokeTest(opened), (id) => `put, get, list and delete of "${id}" agree, and it is gone again`);
    write(`store "${plugin.name}" is ready: name it in .snekrc as server.store.use: ${load.use}`);
    return true;
  } catch {
    return false;
  } finally {
    await store?.close().catch(() => undefined);
  }
}

/** A round trip on a temporary id, cleaned up whatever happens. Returns the id. */
async function smokeTest(store: SnekStore): Promise<string> {
  const suffix = randomBytes(4).toString('hex');
  const snek = { id: `snek-verify-${suffix}`, name: `verify ${suffix}`, type: `snek-verify-${suffix}`, content: ' ~~~<  verify\n\tüñï 🐍\n' };
  const fail = (what: string) => new Error(`${what}. The store does not keep the contract; run @snek/store-testkit against it for details.`);
  try {
    if (!(await store.put(snek)).created) throw fail(`put of the new id "${snek.id}" did not report created: true`);
    const got = await store.get(snek.id);
    if (JSON.stringify(got) !== JSON.stringify(snek)) throw fail(`get("${snek.id}") returned ${JSON.stringify(got)?.slice(0, 80)}, not what was put`);
    const page = await store.list({ type: snek.type, limit: 10 });
    if (page.items.length !== 1 || page.items[0]?.id !== snek.id) throw fail(`list({ type: "${snek.type}" }) returned ${page.items.length} sneks, not the one put`);
    if (!(await store.delete(snek.id))) throw fail(`delete("${snek.id}") returned false for an id that exists`);
    if ((await store.get(snek.id)) !== undefined) throw fail(`get("${snek.id}") still finds the snek after delete`);
    return snek.id;
  } catch (error) {
    await store.delete(snek.id).catch(() => undefined);
    throw error;
  }
}

/** The options as shown: a password in a url (`scheme://user:password@host`) becomes ***. */
function withoutPasswords(text: string): string {
  return text.replace(/(\/\/[^/:@\s"]*:)[^@\s"]*@/g, '$1***@');
}
