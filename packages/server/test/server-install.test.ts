import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { pnpm, run, startPrivateRegistry, type PrivateRegistry } from './helpers/private-registry.js';
import { cleanEnv, killAllServers, startServerProcess } from './helpers/server-process.js';

// `pnpm add @snek/server` alone, from a private registry, serves from the built-in stores: the part of the install
// story whose result depends on the Node that runs it, so it runs on every Node (private-registry.test.ts has the rest).
const WORKSPACE = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN = 'registry-token';
// Node 22.13+ has node:sqlite, so the sqlite store needs no native build there: better-sqlite3 is only allowed to
// build on Node 20, exactly as README tells admins.
const NODE_SQLITE = process.getBuiltinModule?.('node:sqlite') !== undefined;
const NATIVE = NODE_SQLITE ? [] : ['better-sqlite3'];

let dir: TempDir;
let registry: PrivateRegistry;
let folder: string;
// The package managers must see only our settings, not those of the `pnpm test` that started us.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|NODE_OPTIONS$)/i.test(key)));

beforeAll(async () => {
  dir = await tempDir('snek-install-');
  await dir.write('registry/.keep', '');
  registry = await startPrivateRegistry(path.join(dir.path, 'registry'));
  const [command, prefix] = pnpm();
  // Only @snek/server and the workspace packages it depends on. A metadata cache of our own, and --ignore-scripts:
  // private-registry.test.ts says why.
  const publishEnv = { ...env, NPM_CONFIG_USERCONFIG: registry.npmrc, npm_config_cache_dir: path.join(dir.path, 'pnpm-cache') };
  await run(command, [...prefix, '-r', '--filter', '@snek/server...', 'publish', '--registry', registry.url, '--no-git-checks', '--ignore-scripts'], { cwd: WORKSPACE, env: publishEnv });
  folder = path.join(dir.path, 'site');
  await dir.write('site/package.json', JSON.stringify({ name: 'site', private: true, pnpm: { onlyBuiltDependencies: NATIVE } }));
  await dir.write('site/.npmrc', `registry=${registry.url}\n`);
  await run(command, [...prefix, 'add', '@snek/server'], { cwd: folder, env });
}, 600_000);

afterAll(async () => {
  killAllServers();
  await registry?.stop();
  await dir.cleanup();
});

/** Native addons that an install compiled in `folder` (node-gyp leaves them in build/Release); prebuilt ones do not count. */
async function compiledAddons(folder: string): Promise<string[]> {
  const files = await readdir(path.join(folder, 'node_modules'), { recursive: true });
  return files.filter((file) => file.endsWith('.node') && file.includes(`build${path.sep}Release`));
}

describe('only @snek/server installed with pnpm', () => {
  it.each(['sqlite', 'fs'])('serves from the built-in %s store named in .snekrc', async (store) => {
    await writeFile(path.join(folder, '.snekrc'), `server:\n  store: ${store}\n`);
    const server = await startServerProcess({ cwd: folder, env: cleanEnv(folder, { SNEK_ADMIN_TOKEN: TOKEN, PATH: env['PATH'] }), bin: path.join(folder, 'node_modules/.bin/snek-server') });
    expect(await (await fetch(`${server.url}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()).toMatchObject({ status: 'ready', store });
    if (store === 'sqlite') {
      // `pnpm add @snek/server` compiles nothing on Node 22.13+: the store runs on node:sqlite.
      const readiness = JSON.stringify(await (await fetch(`${server.url}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } })).json());
      expect(readiness).toContain(NODE_SQLITE ? '"node:sqlite"' : '"better-sqlite3"');
      const compiled = await compiledAddons(folder);
      if (NODE_SQLITE) expect(compiled).toEqual([]);
      else expect(compiled.some((file) => file.endsWith(`${path.sep}better_sqlite3.node`))).toBe(true);
    }
    const put = await fetch(`${server.url}/v1/sneks/only-server`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'o', type: 'o', content: store }) });
    expect(put.status).toBe(201);
    expect(((await (await fetch(`${server.url}/v1/sneks/only-server`)).json()) as { content: string }).content).toBe(store);
    expect(await server.stop()).toBe(0);
  }, 600_000);
});
