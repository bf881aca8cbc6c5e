import { cp, mkdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { apiFetch, contractOf } from './helpers/api-contract.js';
import { cleanEnv, killAllServers, runServerToExit, startServerProcess } from './helpers/server-process.js';

// Each load error has its own fixture package, installed by name in a site folder as an admin would.
const FIXTURES = fileURLToPath(new URL('./fixtures/stores/', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
const SERVER_DIR = path.join(PACKAGES, 'server');
const DOC = await readFile(new URL('../../../docs/writing-a-store.md', import.meta.url), 'utf8');

let dir: TempDir;
let site: string;
beforeAll(async () => {
  dir = await tempDir('snek-store-errors-');
  site = dir.path;
  await mkdir(path.join(site, 'node_modules/@snek'), { recursive: true });
  for (const pkg of ['core', 'store-memory']) await symlink(path.join(PACKAGES, pkg), path.join(site, 'node_modules/@snek', pkg));
  for (const fixture of ['dependency-missing', 'invalid-export', 'api-v2', 'options-strict', 'init-throws', 'init-hangs', 'commonjs']) {
    await cp(path.join(FIXTURES, fixture), path.join(site, 'node_modules', `snek-store-${fixture}`), { recursive: true });
  }
});
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
});

/** The message as the docs quote it: this machine's folders replaced by an admin's. */
function asDocumented(text: string): string {
  return text.replaceAll(site, '/srv/snek').replaceAll(SERVER_DIR, '/srv/snek/node_modules/@snek/server').trim();
}

async function withConfig(snekrc: string): Promise<void> {
  await dir.write('.snekrc', snekrc);
}

const CASES = [
  { code: 'STORE_NOT_FOUND', snekrc: 'server:\n  store: vault\n', phase: 'resolve' },
  { code: 'STORE_DEPENDENCY_MISSING', snekrc: 'server:\n  store: dependency-missing\n', phase: 'import' },
  { code: 'STORE_INVALID_EXPORT', snekrc: 'server:\n  store: invalid-export\n', phase: 'validate' },
  { code: 'STORE_API_VERSION', snekrc: 'server:\n  store: api-v2\n', phase: 'validate' },
  { code: 'STORE_OPTIONS_INVALID', snekrc: 'server:\n  store: { use: options-strict, options: { url: "http://vault.example" } }\n', phase: 'create' },
  { code: 'STORE_INIT_FAILED', snekrc: 'server:\n  store: init-throws\n', phase: 'create' },
  { code: 'STORE_INIT_FAILED', snekrc: 'server:\n  store: init-hangs\n  storeTimeout: 0.5\n', phase: 'create' },
];

describe.each(CASES)('a store that fails with $code ($snekrc)', ({ code, snekrc, phase }) => {
  it('stops snek-server before it listens, with one line that the docs quote', async () => {
    await withConfig(snekrc);
    const run = await runServerToExit({ cwd: site, env: cleanEnv(site) });
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('listening');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`snek-server: ${code}: `);
    expect(DOC).toContain(asDocumented(run.stderr));
  });

  it(`makes verify-store stop at the ${phase} phase and exit 1`, async () => {
    await withConfig(snekrc);
    const run = await runServerToExit({ cwd: site, env: cleanEnv(site), args: ['verify-store'] });
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(new RegExp(`^FAIL  ${phase} +${code}: `));
    expect(lines.slice(0, -1).every((line) => line.startsWith('ok    '))).toBe(true);
  });
});

describe('stores that load', () => {
  it('a CommonJS plugin installed by name serves sneks', async () => {
    await withConfig('server:\n  store: commonjs\n');
    const server = await startServerProcess({ cwd: site, env: cleanEnv(site, { SNEK_ADMIN_TOKEN: 't' }) });
    const contract = await contractOf(server.url);
    expect(await (await apiFetch(contract, server.url, '/readyz', { headers: { authorization: 'Bearer t' } })).json()).toEqual({ status: 'ready', store: 'commonjs' });
    expect(((await (await apiFetch(contract, server.url, '/v1/sneks/cute')).json()) as { id: string }).id).toBe('cute');
    expect(await server.stop()).toBe(0);
  });

  it.each(['memory', 'fs', 'sqlite', 'commonjs', 'options-strict'])('verify-store passes on %s through every phase', async (name) => {
    await withConfig('server:\n  store: memory\n');
    const args = ['verify-store', name, ...(name === 'options-strict' ? ['--options', '{"url":"vault://vault.example"}'] : [])];
    const run = await runServerToExit({ cwd: site, env: cleanEnv(site), args });
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout.split('\n').slice(0, 5).map((line) => line.split(/ +/).slice(0, 2).join(' '))).toEqual(['ok resolve', 'ok import', 'ok validate', 'ok create', 'ok smoke']);
  });

  it('verify-store rejects --options that are not JSON with exit 2', async () => {
    const run = await runServerToExit({ cwd: site, env: cleanEnv(site), args: ['verify-store', 'memory', '--options', '{dir:'] });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^snek-server: USAGE: --options is not JSON/);
  });
});
