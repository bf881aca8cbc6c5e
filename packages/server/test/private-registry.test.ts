import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runSnek } from '../../cli/test/helpers/run-snek.js';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { pnpm, run, startPrivateRegistry, type PrivateRegistry } from './helpers/private-registry.js';
import { cleanEnv, killAllServers, runServerToExit, startServerProcess } from './helpers/server-process.js';

// The whole plugin story, for real: publish every package to a private registry, install the server, the CLI
// and a third-party store from it into empty folders with npm and with pnpm, name the store in .snekrc, use it.
const WORKSPACE = fileURLToPath(new URL('../../../', import.meta.url));
const CUTE = await readFile(new URL('../../pack-classic/sneks/cute.txt', import.meta.url));
const TOKEN = 'registry-token';
// classic-level (the example store) ships prebuilt binaries, and is the one install script allowed: these sites never
// open the sqlite store, so better-sqlite3 stays unbuilt on Node 20 (server-install.test.ts builds it, on every Node).
const NATIVE = ['classic-level'];

let dir: TempDir;
let registry: PrivateRegistry;
// The package managers must see only our settings, not those of the `pnpm test` that started us.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|NODE_OPTIONS$)/i.test(key)));

beforeAll(async () => {
  dir = await tempDir('snek-registry-');
  await dir.write('registry/.keep', '');
  registry = await startPrivateRegistry(path.join(dir.path, 'registry'));
  const [command, prefix] = pnpm();
  // A metadata cache of our own: pnpm's is keyed by host and port, and a registry of an earlier test on the same
  // port would make it skip packages as published already. --ignore-scripts: the packages are built (pnpm test
  // builds first), and a prepack would rewrite dist/ under the tests running beside this one.
  const publishEnv = { ...env, NPM_CONFIG_USERCONFIG: registry.npmrc, npm_config_cache_dir: path.join(dir.path, 'pnpm-cache') };
  await run(command, [...prefix, '-r', 'publish', '--registry', registry.url, '--no-git-checks', '--ignore-scripts'], { cwd: WORKSPACE, env: publishEnv });
}, 600_000);

afterAll(async () => {
  killAllServers();
  await registry?.stop();
  await dir.cleanup();
});

/** An empty folder outside the workspace with the packages installed from the registry. */
async function site(name: string, manager: 'npm' | 'pnpm', packages: string[]): Promise<string> {
  const folder = path.join(dir.path, name);
  // Install scripts are opt-in in both managers: allow the two native modules, as the docs tell admins to.
  const manifest = { name, private: true, ...(manager === 'pnpm' ? { pnpm: { onlyBuiltDependencies: NATIVE } } : {}) };
  await dir.write(`${name}/package.json`, JSON.stringify(manifest));
  await dir.write(`${name}/.npmrc`, `registry=${registry.url}\n${manager === 'npm' ? `allow-scripts=${NATIVE.join(',')}\n` : ''}`);
  if (manager === 'npm') await run('npm', ['install', ...packages], { cwd: folder, env });
  else {
    const [command, prefix] = pnpm();
    await run(command, [...prefix, 'add', ...packages], { cwd: folder, env });
  }
  return folder;
}

/** Reads a snek straight from LevelDB with the example store's own classic-level: proof of where it landed. */
async function readFromLevel(folder: string, dataDir: string, id: string): Promise<unknown> {
  const requireFromStore = createRequire(path.join(folder, 'node_modules/snek-store-level/package.json'));
  const { ClassicLevel } = (await import(pathToFileURL(requireFromStore.resolve('classic-level')).href)) as {
    ClassicLevel: new (location: string, options: object) => { get(key: string): Promise<string | undefined>; close(): Promise<void> };
  };
  const db = new ClassicLevel(path.join(folder, dataDir), { valueEncoding: 'utf8' });
  try {
    const value = await db.get(`s!${id}`);
    return value === undefined ? undefined : JSON.parse(value);
  } finally {
    await db.close();
  }
}

describe.each(['npm', 'pnpm'] as const)('installed with %s from a private registry', (manager) => {
  let folder: string;
  beforeAll(async () => {
    folder = await site(`site-${manager}`, manager, ['@snek/server', '@snek/cli', 'snek-store-level']);
  }, 600_000);

  it('serves from the third-party store named in .snekrc: snek --type cute, and snek push lands in its storage', async () => {
    await writeFile(path.join(folder, '.snekrc'), 'server:\n  store:\n    use: level\n    options: { dir: ./level-data }\n');
    const siteEnv = cleanEnv(folder, { SNEK_ADMIN_TOKEN: TOKEN, PATH: env['PATH'] });
    const server = await startServerProcess({ cwd: folder, env: siteEnv, bin: path.join(folder, 'node_modules/.bin/snek-server') });
    expect(await (await fetch(`${server.url}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()).toEqual({ status: 'ready', store: 'level' });
    const snek = path.join(folder, 'node_modules/.bin/snek');
    const cute = await runSnek(['--type', 'cute', '--url', server.url], { cwd: folder, env: siteEnv, bin: snek });
    expect(cute.stdout.equals(CUTE)).toBe(true);
    const push = await runSnek(['push', '-', '--name', 'Level Snek', '--type', 'leveled', '--url', server.url, '--token', TOKEN], { cwd: folder, env: siteEnv, bin: snek, input: '~~~<level\n' });
    expect([push.code, push.stdout.toString(), push.stderr]).toEqual([0, 'created level-snek\n', '']);
    expect(await server.stop()).toBe(0);
    expect(await readFromLevel(folder, 'level-data', 'level-snek')).toEqual({ id: 'level-snek', name: 'Level Snek', type: 'leveled', content: '~~~<level\n' });
  });

  it('verify-store passes on the example store', async () => {
    const verify = await runServerToExit({ cwd: folder, env: cleanEnv(folder, { PATH: env['PATH'] }), bin: path.join(folder, 'node_modules/.bin/snek-server'), args: ['verify-store', 'level', '--options', '{"dir":"./verify-data"}'] });
    expect([verify.code, verify.stderr]).toEqual([0, '']);
    expect(verify.stdout).toContain('store "level" is ready');
    if (manager === 'npm') {
      // docs/writing-a-store.md shows this run, from an npm install in /srv/snek.
      const documented = verify.stdout.replaceAll(folder, '/srv/snek').replace(/opened in \d+ ms/, 'opened in 9 ms').replace(/snek-verify-[0-9a-f]{8}/g, 'snek-verify-5e0f1c2a');
      expect(await readFile(new URL('../../../docs/writing-a-store.md', import.meta.url), 'utf8')).toContain(documented);
    }
  });

  it('a .snekrc naming a store that is not installed stops the server with STORE_NOT_FOUND', async () => {
    await writeFile(path.join(folder, '.snekrc'), 'server:\n  store: redis\n');
    const result = await runServerToExit({ cwd: folder, env: cleanEnv(folder, { PATH: env['PATH'] }), bin: path.join(folder, 'node_modules/.bin/snek-server') });
    expect(result.code).toBe(1);
    for (const text of ['STORE_NOT_FOUND', '@snek/store-redis', 'snek-store-redis', path.join(folder, '.snekrc'), `install it in ${folder}`]) expect(result.stderr).toContain(text);
  });
});

// Snek packs (issue 13): a third-party pack from the registry, named in .snekrc beside classic, seeds its sneks,
// and a pack snek deleted over the API stays deleted after a restart.
describe('a snek pack installed with pnpm from a private registry', () => {
  it('seeds snek-pack-holidays named in .snekrc, and a deleted pack snek stays deleted after a restart', async () => {
    const folder = await site('site-pack', 'pnpm', ['@snek/server', 'snek-pack-holidays']);
    await writeFile(path.join(folder, '.snekrc'), 'server:\n  store: { use: fs, options: { dir: ./data } }\n  packs: [classic, holidays]\n');
    const siteEnv = cleanEnv(folder, { SNEK_ADMIN_TOKEN: TOKEN, PATH: env['PATH'] });
    const bin = path.join(folder, 'node_modules/.bin/snek-server');
    const sneksOf = async (url: string) => ((await (await fetch(`${url}/v1/sneks?type=holiday`)).json()) as { items: Array<{ id: string; content: string }> }).items;
    const packsOf = async (url: string) => ((await (await fetch(`${url}/v1/packs`)).json()) as { packs: Array<{ name: string; added: number }> }).packs;

    const first = await startServerProcess({ cwd: folder, env: siteEnv, bin });
    expect(await packsOf(first.url)).toEqual([
      expect.objectContaining({ name: 'classic', use: 'classic', sneks: 3, added: 3 }),
      { name: 'holidays', use: 'holidays', version: '1.0.0', sneks: 3, added: 3 },
    ]);
    const seeded = await sneksOf(first.url);
    expect(seeded.map((s) => s.id)).toEqual(['party-snek', 'tiny-pumpkin-snek', 'winter-snek']);
    expect(seeded[2]!.content).toBe(await readFile(new URL('../../../examples/snek-pack-holidays/sneks/winter-snek.txt', import.meta.url), 'utf8'));
    expect((await fetch(`${first.url}/v1/sneks/party-snek`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(204);
    expect(await first.stop()).toBe(0);

    const second = await startServerProcess({ cwd: folder, env: siteEnv, bin });
    expect((await sneksOf(second.url)).map((s) => s.id)).toEqual(['tiny-pumpkin-snek', 'winter-snek']);
    expect((await packsOf(second.url)).map((p) => p.added)).toEqual([0, 0]);
    expect(await second.stop()).toBe(0);
  }, 600_000);
});
