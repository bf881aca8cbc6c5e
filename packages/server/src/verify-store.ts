import { randomBytes } from 'node:crypto';
import { SnekError, loadStore, type LoadedConfig, type SnekStore, type StorePhaseDone } from '@snek/core';
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
  // loadStore reports each phase it finishes; the first one not reported is the one that failed.
  const phases = ['resolve', 'import', 'validate', 'create', 'smoke'] as const;
  let done = 0;
  const ok = (phase: (typeof phases)[number], text: string) => {
    write(`ok    ${phase.padEnd(PHASE_WIDTH)} ${text}`);
    done = phases.indexOf(phase) + 1;
  };
  let validated = Date.now();
  const describe = (event: StorePhaseDone): string => {
    if (event.phase === 'resolve') return `"${load.use}" is ${event.found.specifier} at ${event.found.url}`;
    if (event.phase === 'import') return `exports ${event.exports.join(', ') || 'nothing'}`;
    if (event.phase === 'validate') {
      validated = Date.now();
      return `store "${event.plugin.name}", apiVersion ${event.plugin.apiVersion}`;
    }
    return `opened in ${Date.now() - validated} ms with options ${withoutPasswords(JSON.stringify(load.options ?? {}))}`;
  };
  let store: SnekStore | undefined;
  try {
    const loadedStore = await loadStore({ ...load, origin, onPhase: (event) => ok(event.phase, describe(event)) });
    store = loadedStore.store;
    ok('smoke', `put, get, list and delete of "${await smokeTest(store)}" agree, and it is gone again`);
    write(`store "${loadedStore.plugin.name}" is ready: name it in .snekrc as server.store.use: ${load.use}`);
    return true;
  } catch (error) {
    write(`FAIL  ${phases[done]!.padEnd(PHASE_WIDTH)} ${SnekError.is(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error)}`);
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
