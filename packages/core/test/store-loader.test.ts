import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { STORE_KIND, SnekError, loadStore, type LoadStoreOptions } from '../src/index.js';
import { parsePluginSpecifier } from '../src/plugin-resolve.js';
import { pluginSource, writeCjsPackage, writeEsmPackage } from './helpers/fixture-stores.js';
import { configSitePerTest, type TempDir } from './helpers/temp-dir.js';

// The server's own folder: its dependencies are where built-in stores are found.
const SERVER = new URL('../../server/package.json', import.meta.url).href;

let dir: TempDir;
let configDir: string;
configSitePerTest((site) => ({ dir, configDir } = site));

const load = (use: string, extra: Partial<LoadStoreOptions> = {}) =>
  loadStore({ use, configDir, configFile: path.join(configDir, '.snekrc'), fallbackFrom: [SERVER], ...extra });

/** What the fixture store echoes back. */
const echo = (store: unknown) => store as { plugin: string; options: unknown; context: { configDir: string } };

async function loadError(use: string, extra: Partial<LoadStoreOptions> = {}): Promise<SnekError> {
  const error = await load(use, extra).then(() => undefined, (e: unknown) => e);
  if (!SnekError.is(error)) throw new Error(`expected a SnekError, got ${String(error)}`);
  return error;
}

describe('parsePluginSpecifier(use, configDir, STORE_KIND)', () => {
  it.each([
    ['sqlite', ['@snek/store-sqlite', 'snek-store-sqlite', 'sqlite']],
    ['@acme/snek-s3', ['@acme/snek-s3']],
    ['snek-store-redis', ['snek-store-redis']],
  ])('reads %p as the packages %p', (use, candidates) => {
    expect(parsePluginSpecifier(use, '/etc/snek', STORE_KIND)).toEqual({ from: 'package', candidates });
  });

  it.each([
    ['./store.js', '/etc/snek/store.js'],
    ['../lib/store.mjs', '/etc/lib/store.mjs'],
    ['/opt/store.js', '/opt/store.js'],
    ['file:///opt/x/store.js', '/opt/x/store.js'],
  ])('reads %p as the path %p, relative to the config folder', (use, file) => {
    expect(parsePluginSpecifier(use, '/etc/snek', STORE_KIND)).toEqual({ from: 'path', path: file });
  });
});

describe('loadStore', () => {
  it('loads a built-in store through the server fallback, by its bare name', async () => {
    const { plugin, found, store } = await load('memory');
    expect(plugin.name).toBe('memory');
    expect(found.specifier).toBe('@snek/store-memory');
    expect(await store.list()).toEqual({ items: [], nextCursor: null });
    await store.close();
  });

  it('prefers a package in the config folder over the server fallback', async () => {
    await writeEsmPackage(dir, 'etc', '@snek/store-memory', pluginSource('shadow'));
    const { store, found } = await load('memory');
    expect(echo(store).plugin).toBe('shadow');
    expect(found.url).toContain(dir.path);
  });

  it('resolves from a parent of the config folder, as Node does', async () => {
    await writeEsmPackage(dir, '.', 'snek-store-upstairs');
    expect(echo((await load('upstairs')).store).plugin).toBe('snek-store-upstairs');
  });

  it('tries @snek/store-x, then snek-store-x, then x', async () => {
    await writeEsmPackage(dir, 'etc', 'x');
    expect((await load('x')).found.specifier).toBe('x');
    await writeEsmPackage(dir, 'etc', 'snek-store-x');
    expect((await load('x')).found.specifier).toBe('snek-store-x');
    await writeEsmPackage(dir, 'etc', '@snek/store-x');
    expect((await load('x')).found.specifier).toBe('@snek/store-x');
  });

  it('loads an ESM-only package whose exports map has only the "import" condition', async () => {
    await writeEsmPackage(dir, 'etc', '@acme/snek-store');
    expect(echo((await load('@acme/snek-store')).store).plugin).toBe('@acme/snek-store');
  });

  it('loads CommonJS plugins: module.exports = plugin, and exports.default', async () => {
    await writeCjsPackage(dir, 'etc', 'snek-store-cjs');
    await writeCjsPackage(dir, 'etc', 'snek-store-transpiled', 'cjs-default');
    expect(echo((await load('cjs')).store).plugin).toBe('snek-store-cjs');
    expect(echo((await load('transpiled')).store).plugin).toBe('snek-store-transpiled');
  });

  it('loads a plugin file outside the workspace by a path relative to the config folder', async () => {
    await dir.write('plugins/my-store.mjs', pluginSource('relative'));
    const { store, found } = await load('../plugins/my-store.mjs');
    expect(echo(store).plugin).toBe('relative');
    expect(found.url).toBe(`file://${path.join(dir.path, 'plugins/my-store.mjs')}`);
  });

  it('loads a package folder given by path, through its exports', async () => {
    await writeEsmPackage(dir, 'vendor', 'snek-store-vendored');
    expect(echo((await load('../vendor/node_modules/snek-store-vendored')).store).plugin).toBe('snek-store-vendored');
  });

  it('passes options, the config folder and the deadline of initTimeoutMs (default 10 s) to create()', async () => {
    await writeEsmPackage(dir, 'etc', 'snek-store-echo');
    const before = Date.now();
    const { store } = await load('echo', { options: { dir: 'data', n: 1 } });
    const after = Date.now();
    expect(echo(store).options).toEqual({ dir: 'data', n: 1 });
    const { deadline, ...context } = echo(store).context as { configDir: string; deadline: number };
    expect(context).toEqual({ configDir, history: { keep: 100 } });
    expect(deadline).toBeGreaterThanOrEqual(before + 10_000);
    expect(deadline).toBeLessThanOrEqual(after + 10_000);
  });

  it('fails with STORE_NOT_FOUND naming every candidate, the folders and the config file', async () => {
    const error = await loadError('memry');
    expect(error.code).toBe('STORE_NOT_FOUND');
    for (const text of ['@snek/store-memry', 'snek-store-memry', ', memry', configDir, path.join(configDir, '.snekrc'), 'npm install snek-store-memry']) {
      expect(error.message).toContain(text);
    }
    expect(error.details).toMatchObject({ candidates: ['@snek/store-memry', 'snek-store-memry', 'memry'] });
  });

  it('fails with STORE_NOT_FOUND for a path that does not exist', async () => {
    const error = await loadError('./nowhere.js');
    expect(error.code).toBe('STORE_NOT_FOUND');
    expect(error.message).toContain(path.join(configDir, 'nowhere.js'));
  });

  it('fails with STORE_INVALID_EXPORT, saying what the module exports, when there is no plugin default export', async () => {
    await dir.write('etc/named.mjs', 'export const plugin = {}; export function create() {}\n');
    const error = await loadError('./named.mjs');
    expect(error.code).toBe('STORE_INVALID_EXPORT');
    expect(error.message).toContain('create (function), plugin (object)');
  });

  it('fails with STORE_API_VERSION for a plugin built for another contract', async () => {
    await dir.write('etc/v2.mjs', pluginSource('future', 'esm', 2));
    const error = await loadError('./v2.mjs');
    expect(error.code).toBe('STORE_API_VERSION');
    expect(error.message).toContain('declares apiVersion 2');
    expect(error.message).toContain('supports 1');
  });

  it('fails with STORE_DEPENDENCY_MISSING when the plugin is found but its own import is not', async () => {
    await writeEsmPackage(dir, 'etc', 'snek-store-needy', `import 'not-installed-anywhere';\n${pluginSource('needy')}`);
    const error = await loadError('needy');
    expect(error.code).toBe('STORE_DEPENDENCY_MISSING');
    expect(error.message).toContain('not-installed-anywhere');
  });

  it('fails with STORE_INIT_FAILED, giving the cause, when create() throws', async () => {
    await dir.write('etc/throws.mjs', "export default { apiVersion: 1, name: 'throws', create() { throw new Error('disk on fire'); } };\n");
    const error = await loadError('./throws.mjs');
    expect(error.code).toBe('STORE_INIT_FAILED');
    expect(error.message).toContain('disk on fire');
  });

  it('fails with STORE_INIT_FAILED when create() never settles', async () => {
    await dir.write('etc/hangs.mjs', "export default { apiVersion: 1, name: 'hangs', create: () => new Promise(() => {}) };\n");
    const error = await loadError('./hangs.mjs', { initTimeoutMs: 50 });
    expect(error.code).toBe('STORE_INIT_FAILED');
    expect(error.message).toContain('did not finish opening within 0.05 s');
  });

  it('keeps STORE_OPTIONS_INVALID from create() as it is', async () => {
    const error = await loadError('memory', { options: { size: 1 } });
    expect(error.code).toBe('STORE_OPTIONS_INVALID');
  });

  it('fails with STORE_INVALID_EXPORT when create() returns something that is not a store', async () => {
    await dir.write('etc/half.mjs', "export default { apiVersion: 1, name: 'half', create: () => ({ get() {} }) };\n");
    const error = await loadError('./half.mjs');
    expect(error.code).toBe('STORE_INVALID_EXPORT');
    expect(error.message).toContain('put, delete, list, close');
  });
});
