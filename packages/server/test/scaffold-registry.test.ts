import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runSnek } from '../../cli/test/helpers/run-snek.js';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { pnpm, run, startPrivateRegistry, type PrivateRegistry } from './helpers/private-registry.js';
import { cleanEnv, killAllServers, startServerProcess } from './helpers/server-process.js';
import { STORE_CAPABILITIES } from '@snek/core';
import { lacking } from '../../store-testkit/src/capabilities.js';

// A store author's first hour, for real: `npm create @snek/store` from a private registry writes a store package,
// whose dependencies come from that registry and whose own test runs the conformance kit; then it is published,
// installed next to @snek/server, named in .snekrc, and serves `snek --type cute`.
const WORKSPACE = fileURLToPath(new URL('../../../', import.meta.url));
const CUTE = await readFile(new URL('../../pack-classic/sneks/cute.txt', import.meta.url));

let dir: TempDir;
let registry: PrivateRegistry;
// The package managers must see only our settings, not those of the `pnpm test` that started us.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|NODE_OPTIONS$)/i.test(key)));
let fromRegistry: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await tempDir('snek-scaffold-');
  await dir.write('registry/.keep', '');
  await dir.write('author/.keep', '');
  registry = await startPrivateRegistry(path.join(dir.path, 'registry'));
  fromRegistry = { ...env, npm_config_registry: registry.url };
  const [command, prefix] = pnpm();
  // What this test installs, with the workspace packages each depends on (pnpm's `name...` filter). --ignore-scripts:
  // `pnpm test` has just built every package, so each prepack would only build it again (minutes on a busy machine).
  const filters = ['@snek/create-store', '@snek/store-testkit', '@snek/server', '@snek/cli'].flatMap((name) => ['--filter', `${name}...`]);
  await run(command, [...prefix, '-r', ...filters, 'publish', '--registry', registry.url, '--no-git-checks', '--ignore-scripts'], { cwd: WORKSPACE, env: { ...env, NPM_CONFIG_USERCONFIG: registry.npmrc } });
}, 600_000);

afterAll(async () => {
  killAllServers();
  await registry?.stop();
  await dir?.cleanup();
});

describe('npm create @snek/store, from a private registry', () => {
  let store: string;
  let created: string;
  beforeAll(async () => {
    // --yes: npm create asks before it downloads @snek/create-store, and there is no terminal to answer on. A cache of
    // its own: npm create reuses any @snek/create-store of the same version in ~/.npm/_npx, whichever tree built it.
    const npxCache = path.join(dir.path, 'npx-cache');
    created = await run('npm', ['create', '--yes', '@snek/store', 'scaffolded', '--', '--description', 'Made by the registry test'], { cwd: path.join(dir.path, 'author'), env: { ...fromRegistry, npm_config_cache: npxCache } });
    store = path.join(dir.path, 'author/scaffolded');
  }, 120_000);

  it('writes the store package and names the next steps', async () => {
    expect(created).toContain(`Created snek-store-scaffolded in ${store}`);
    for (const step of ['cd scaffolded', 'npm install', 'npm test', 'npm publish', 'npm install snek-store-scaffolded', 'store: scaffolded']) expect(created).toContain(step);
    expect((await readdir(store)).sort()).toEqual(['.gitignore', 'README.md', 'jest.config.js', 'package.json', 'src', 'test', 'tsconfig.build.json', 'tsconfig.json']);
  });

  it('installs its dependencies from the registry, builds, and its own test passes the conformance kit', async () => {
    await run('npm', ['install'], { cwd: store, env: fromRegistry });
    await run('npm', ['run', 'build'], { cwd: store, env: fromRegistry });
    const test = await run('npm', ['test'], { cwd: store, env: fromRegistry });
    expect(test).toContain('scaffolded conforms to the Snek store contract v1');
    // The skeleton has none of the optional methods and no reopen: the kit skips those checks, saying why.
    for (const { name } of STORE_CAPABILITIES) expect(test).toContain(`— skipped: ${lacking(name)}`);
    expect(test).toMatch(/Tests: +\d+ skipped, [1-9]\d* passed, \d+ total/);
    expect(test).toContain('— skipped: the store has no countTypes() (StoreTypeCounter)');
    expect(test).toContain('— skipped: the store has no putIf() and deleteIf() (StoreConditionalWriter)');
    expect(test).not.toMatch(/failed/);
  }, 600_000);

  it('published and installed next to @snek/server, named in .snekrc, it serves: snek --type cute prints cute', async () => {
    await run('npm', ['publish'], { cwd: store, env: { ...env, NPM_CONFIG_USERCONFIG: registry.npmrc } });
    const site = path.join(dir.path, 'site');
    await dir.write('site/package.json', JSON.stringify({ name: 'site', private: true }));
    // --ignore-scripts: nothing here needs a native build, and better-sqlite3's would compile from source for minutes.
    await run('npm', ['install', '--ignore-scripts', '@snek/server', '@snek/cli', 'snek-store-scaffolded'], { cwd: site, env: fromRegistry });
    await writeFile(path.join(site, '.snekrc'), 'server:\n  store: scaffolded\n');
    const siteEnv = cleanEnv(site, { SNEK_ADMIN_TOKEN: 't', PATH: env['PATH'] });
    const server = await startServerProcess({ cwd: site, env: siteEnv, bin: path.join(site, 'node_modules/.bin/snek-server') });
    expect(await (await fetch(`${server.url}/readyz`, { headers: { authorization: 'Bearer t' } })).json()).toEqual({ status: 'ready', store: 'scaffolded' });
    const cute = await runSnek(['--type', 'cute', '--url', server.url], { cwd: site, env: siteEnv, bin: path.join(site, 'node_modules/.bin/snek') });
    expect([cute.code, cute.stderr]).toEqual([0, '']);
    expect(cute.stdout.equals(CUTE)).toBe(true);
    expect(await server.stop()).toBe(0);
  }, 600_000);
});

it('pnpm create @snek/store writes the same package, and names pnpm commands', async () => {
  const [command, prefix] = pnpm();
  const output = await run(command, [...prefix, 'create', '@snek/store', 'by-pnpm', '--name', '@acme/snek-store-by-pnpm'], { cwd: path.join(dir.path, 'author'), env: fromRegistry });
  expect(output).toContain(`Created @acme/snek-store-by-pnpm in ${path.join(dir.path, 'author/by-pnpm')}`);
  for (const step of ['pnpm install', 'pnpm test', 'pnpm add @acme/snek-store-by-pnpm', 'store: @acme/snek-store-by-pnpm']) expect(output).toContain(step);
  const manifest = JSON.parse(await readFile(path.join(dir.path, 'author/by-pnpm/package.json'), 'utf8')) as { name: string; peerDependencies: unknown };
  expect(manifest).toMatchObject({ name: '@acme/snek-store-by-pnpm', peerDependencies: { '@snek/core': '^0.1.0' } });
}, 120_000);
