import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { PACK_KIND, STORE_KIND, SnekError, loadPlugin, loadStore, type LoadPluginContext, type PluginKind, type PluginPhaseDone } from '../src/index.js';
import { rejection } from './helpers/rejection.js';
import { configSitePerTest, type TempDir } from './helpers/temp-dir.js';

/** A kind that exists only here, as the sign-in providers of the next issue will: its own prefix, noun, codes and contract. */
interface Greeter {
  apiVersion: 3;
  name: string;
  greet(who: string): string;
}
const GREETER_KIND: PluginKind<Greeter> = {
  prefix: 'greeter',
  noun: 'sign-in greeter',
  codes: { notFound: 'CONFIG_NOT_FOUND', dependencyMissing: 'SERVER_UNREACHABLE', loadFailed: 'INTERNAL', invalidExport: 'CONFIG_INVALID', apiVersion: 'USAGE' },
  apiVersions: [3],
  expectedExport: '{ apiVersion: 3, name, greet }',
  hasShape: (value) => typeof value['greet'] === 'function',
  accept(value, named) {
    if (typeof value['name'] !== 'string' || !value['name']) throw new SnekError('CONFIG_INVALID', `${named} has no name. Give it one.`);
    return value as unknown as Greeter;
  },
  name: ({ use, specifier }) => `Greeter "${use}" (found as ${specifier})`,
};

const greeter = (name: string, extra = '') => `${extra}export default { apiVersion: 3, name: ${JSON.stringify(name)}, greet: (who) => 'hello ' + who + ' from ${name}' };\n`;
const NEVER = 'await new Promise(() => {});\n';

let dir: TempDir;
let configDir: string;
configSitePerTest((site) => ({ dir, configDir } = site));

const context = (extra: Partial<LoadPluginContext<Greeter>> = {}): LoadPluginContext<Greeter> => ({ configDir, origin: 'auth.greeter in /etc/.snekrc', ...extra });

async function writePackage(name: string, source: string, main = 'index.mjs'): Promise<void> {
  await dir.write(`etc/node_modules/${name}/package.json`, JSON.stringify({ name, version: '1.0.0', main }));
  await dir.write(`etc/node_modules/${name}/${main}`, source);
}

describe('loadPlugin with a kind defined outside @snek/core', () => {
  it('tries @snek/<prefix>-x, then snek-<prefix>-x, then x, and returns the checked plugin with where it was found', async () => {
    await writePackage('okta', greeter('bare'));
    expect((await loadPlugin(GREETER_KIND, 'okta', context())).found.specifier).toBe('okta');
    await writePackage('snek-greeter-okta', greeter('prefixed'));
    const { plugin, found } = await loadPlugin(GREETER_KIND, 'okta', context());
    expect([found.specifier, found.url, plugin.greet('ann')]).toEqual(['snek-greeter-okta', `file://${path.join(configDir, 'node_modules/snek-greeter-okta/index.mjs')}`, 'hello ann from prefixed']);
    await writePackage('@snek/greeter-okta', greeter('scoped'));
    expect((await loadPlugin(GREETER_KIND, 'okta', context())).plugin.name).toBe('scoped');
  });

  it('loads a path relative to the config folder, and a file: URL, saying so in found.path', async () => {
    const file = await dir.write('plugins/g.mjs', greeter('by-path'));
    const relative = await loadPlugin(GREETER_KIND, '../plugins/g.mjs', context());
    expect([relative.plugin.name, relative.found.path]).toEqual(['by-path', file]);
    expect((await loadPlugin(GREETER_KIND, `file://${file}`, context())).found.specifier).toBe(`file://${file}`);
  });

  it('unwraps CommonJS module.exports.default', async () => {
    await dir.write('etc/cjs.cjs', "Object.defineProperty(exports, '__esModule', { value: true });\nexports.default = { apiVersion: 3, name: 'cjs', greet: () => 'hi' };\n");
    expect((await loadPlugin(GREETER_KIND, './cjs.cjs', context())).plugin.name).toBe('cjs');
  });

  it('reports resolve, import and validate in order as each succeeds', async () => {
    await dir.write('etc/g.mjs', greeter('told'));
    const events: PluginPhaseDone<Greeter>[] = [];
    await loadPlugin(GREETER_KIND, './g.mjs', context({ onPhase: (event) => events.push(event) }));
    expect(events.map((event) => event.phase)).toEqual(['resolve', 'import', 'validate']);
    expect(events[1]).toEqual({ phase: 'import', exports: ['default'] });
  });

  it('fails with the kind\'s own code and noun at each phase', async () => {
    const notFound = await rejection(() => loadPlugin(GREETER_KIND, 'nobody', context()));
    expect([notFound.code, notFound.message]).toEqual(['CONFIG_NOT_FOUND', expect.stringMatching(/^Sign-in greeter "nobody" \(auth\.greeter in \/etc\/\.snekrc\) is not installed\. Tried @snek\/greeter-nobody, snek-greeter-nobody, nobody /)]);

    await dir.write('etc/needy.mjs', `import 'not-installed-anywhere';\n${greeter('needy')}`);
    const missing = await rejection(() => loadPlugin(GREETER_KIND, './needy.mjs', context()));
    expect([missing.code, missing.message]).toEqual(['SERVER_UNREACHABLE', expect.stringContaining("Run npm install in the sign-in greeter's own folder")]);

    await dir.write('etc/shapeless.mjs', 'export default { apiVersion: 3, name: "x" };\n');
    const shapeless = await rejection(() => loadPlugin(GREETER_KIND, './shapeless.mjs', context()));
    expect([shapeless.code, shapeless.message]).toEqual(['CONFIG_INVALID', 'Greeter "./shapeless.mjs" (found as ./shapeless.mjs) has no valid default export: it exports default (object). Its default export must be { apiVersion: 3, name, greet }.']);

    await dir.write('etc/old.mjs', 'export default { apiVersion: 1, name: "old", greet() {} };\n');
    const old = await rejection(() => loadPlugin(GREETER_KIND, './old.mjs', context()));
    expect([old.code, old.message]).toEqual(['USAGE', expect.stringContaining('declares apiVersion 1, but this server supports 3. Install a version of the sign-in greeter built for API 3')]);

    await dir.write('etc/nameless.mjs', 'export default { apiVersion: 3, name: "", greet() {} };\n');
    expect((await rejection(() => loadPlugin(GREETER_KIND, './nameless.mjs', context()))).message).toBe('Greeter "./nameless.mjs" (found as ./nameless.mjs) has no name. Give it one.');
  });

  it('bounds the import by timeoutMs: a top-level await that never settles is the kind\'s loadFailed, naming the phase', async () => {
    await dir.write('etc/never.mjs', NEVER + greeter('never'));
    const error = await rejection(() => loadPlugin(GREETER_KIND, './never.mjs', context({ timeoutMs: 100, timeoutHint: 'raise auth.timeout' })));
    expect([error.code, error.message]).toEqual(['INTERNAL', 'Sign-in greeter "./never.mjs" did not finish loading (import) within 0.1 s. Check what the sign-in greeter\'s module does at its top level, or raise auth.timeout.']);
  });

  it.each([
    ['new Error("boom\\nsecond line")', 'boom'],
    ['{ weird: true }', '{"weird":true}'],
    ['"text"', '"text"'],
    ['null', 'null'],
    ['undefined', 'undefined'],
    ['Object.create(null)', '{}'],
    ['(() => { const o = {}; o.self = o; return o; })()', '<ref *1> { self: [Circular *1] }'],
  ])('describes a thrown %s at import as %s, with the kind\'s loadFailed', async (thrown, shown) => {
    const file = await dir.write('etc/throws.mjs', `throw ${thrown};\n`);
    const error = await rejection(() => loadPlugin(GREETER_KIND, './throws.mjs', context()));
    expect([error.code, error.message]).toEqual(['INTERNAL', `Sign-in greeter "./throws.mjs" threw while loading (import) from file://${file}: ${shown}. Fix or reinstall the sign-in greeter package.`]);
  });
});

describe('loadPlugin with the built-in kinds', () => {
  it('STORE_KIND: a throw of a non-Error at import is STORE_INIT_FAILED naming the store', async () => {
    await dir.write('etc/weird.mjs', 'throw { weird: true };\n');
    const error = await rejection(() => loadPlugin(STORE_KIND, './weird.mjs', { configDir, origin: 'server.store.use' }));
    expect([error.code, error.message]).toEqual(['STORE_INIT_FAILED', expect.stringMatching(/^Store "\.\/weird\.mjs" threw while loading \(import\) from file:.*: \{"weird":true\}\. Fix or reinstall the store package\.$/)]);
  });

  it('PACK_KIND: an import that never finishes is PACK_LOAD_FAILED naming the pack', async () => {
    await dir.write('etc/slow.mjs', `${NEVER}export default { apiVersion: 1, name: 'slow', sneks: [] };\n`);
    const error = await rejection(() => loadPlugin(PACK_KIND, './slow.mjs', { configDir, origin: 'server.packs[0]', timeoutMs: 50 }));
    expect([error.code, error.message]).toEqual(['PACK_LOAD_FAILED', expect.stringMatching(/^Pack "\.\/slow\.mjs" did not finish loading \(import\) within 0\.05 s\. /)]);
  });

  it('PACK_KIND names a pack by its entry in .snekrc; STORE_KIND by the package found', async () => {
    await dir.write('etc/nothing.mjs', 'export const x = 1;\n');
    expect((await rejection(() => loadPlugin(PACK_KIND, './nothing.mjs', { configDir, origin: 'server.packs[2]' }))).message).toMatch(/^Pack "\.\/nothing\.mjs" \(server\.packs\[2\]\) has no valid default export/);
    expect((await rejection(() => loadPlugin(STORE_KIND, './nothing.mjs', { configDir, origin: 'server.store.use' }))).message).toMatch(/^Store "\.\/nothing\.mjs" has no valid default export/);
  });
});

describe('loadStore', () => {
  const configFile = () => path.join(configDir, '.snekrc');

  it('counts the import against initTimeoutMs, and says which setting raises it', async () => {
    await dir.write('etc/never.mjs', `${NEVER}export default { apiVersion: 1, name: 'never', create() {} };\n`);
    const error = await rejection(() => loadStore({ use: './never.mjs', configDir, configFile: configFile(), initTimeoutMs: 100 }));
    expect([error.code, error.message]).toEqual(['STORE_INIT_FAILED', `Store "./never.mjs" did not finish loading (import) within 0.1 s. Check what the store's module does at its top level, or raise server.storeTimeout in ${configFile()}.`]);
  });

  it('describes a non-Error thrown by create()', async () => {
    await dir.write('etc/odd.mjs', "export default { apiVersion: 1, name: 'odd', create() { throw Object.create(null); } };\n");
    const error = await rejection(() => loadStore({ use: './odd.mjs', configDir, configFile: configFile() }));
    expect([error.code, error.message]).toEqual(['STORE_INIT_FAILED', 'Store "odd" failed to open: {}. Check server.store.options and the storage it points to.']);
  });

  it('reports create after the loader\'s phases', async () => {
    const phases: string[] = [];
    const { store } = await loadStore({ use: 'memory', configDir, configFile: null, fallbackFrom: [new URL('../../server/package.json', import.meta.url).href], onPhase: (event) => phases.push(event.phase) });
    await store.close();
    expect(phases).toEqual(['resolve', 'import', 'validate', 'create']);
  });
});
