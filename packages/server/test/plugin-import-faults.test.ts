import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, runServerToExit } from './helpers/server-process.js';

// Plugins that misbehave while being imported, before any create(): each must stop snek-server with exit 1 and one
// coded line naming the plugin and the phase, within server.storeTimeout (1 s here), whatever the module does.
const NEVER = 'await new Promise(() => {});\n';
const DOC = await readFile(new URL('../../../docs/writing-a-store.md', import.meta.url), 'utf8');
const PLUGIN = "export default { apiVersion: 1, name: 'never', create() { throw new Error('not reached'); } };\n";

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('snek-import-faults-');
});
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
});

async function serveWith(files: Record<string, string>, server: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  for (const [name, text] of Object.entries(files)) await dir.write(name, text);
  await dir.write('.snekrc', `server:\n  storeTimeout: 1\n${server}`);
  return runServerToExit({ cwd: dir.path, env: cleanEnv(dir.path) });
}

/** The one line on stderr, after checking that there is exactly one and that the server never listened. */
function oneLine(run: { code: number | null; stdout: string; stderr: string }): string {
  expect(run.stdout).not.toContain('listening');
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('a store that never finishes its import', () => {
  it('a top-level await that never settles ends in STORE_INIT_FAILED for the import phase, exit 1 (not 13 and silence)', async () => {
    const run = await serveWith({ 'never.mjs': NEVER + PLUGIN }, '  store: ./never.mjs\n  packs: []\n');
    expect(run.code).toBe(1);
    const line = oneLine(run);
    expect(line).toBe(`snek-server: STORE_INIT_FAILED: Store "./never.mjs" did not finish loading (import) within 1 s. Check what the store's module does at its top level, or raise server.storeTimeout in ${path.join(dir.path, '.snekrc')}.`);
    // docs/writing-a-store.md quotes it, with an admin's folder for this test's.
    expect(DOC).toContain(line.replaceAll(dir.path, '/srv/snek'));
  });

  it('with a setInterval beside it, the server still reports and exits instead of hanging', async () => {
    const run = await serveWith({ 'ticking.mjs': `setInterval(() => {}, 1000);\n${NEVER}${PLUGIN}` }, '  store: ./ticking.mjs\n  packs: []\n');
    expect(run.code).toBe(1);
    expect(oneLine(run)).toMatch(/^snek-server: STORE_INIT_FAILED: Store "\.\/ticking\.mjs" did not finish loading \(import\) within 1 s\. /);
  });

  it('verify-store reports it at the import phase and exits 1', async () => {
    await serveWith({ 'ticking.mjs': `setInterval(() => {}, 1000);\n${NEVER}${PLUGIN}` }, '  store: ./ticking.mjs\n  packs: []\n');
    const run = await runServerToExit({ cwd: dir.path, env: cleanEnv(dir.path), args: ['verify-store'] });
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ok    resolve   "\.\/ticking\.mjs" is \.\/ticking\.mjs at file:/);
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^FAIL  import    STORE_INIT_FAILED: Store "\.\/ticking\.mjs" did not finish loading \(import\) within 1 s\. /)]);
  });
});

describe('a store that throws something other than an Error at import', () => {
  it.each([
    ['{ weird: true }', '{"weird":true}'],
    ["'a string'", '"a string"'],
    ['null', 'null'],
    ['undefined', 'undefined'],
    ['Object.create(null)', '{}'],
  ])('throw %s is a STORE_INIT_FAILED for the import phase that shows the value as %s', async (value, shown) => {
    const run = await serveWith({ 'weird.mjs': `throw ${value};\n` }, '  store: ./weird.mjs\n  packs: []\n');
    expect(run.code).toBe(1);
    const url = `file://${path.join(dir.path, 'weird.mjs')}`;
    expect(oneLine(run)).toBe(`snek-server: STORE_INIT_FAILED: Store "./weird.mjs" threw while loading (import) from ${url}: ${shown}. Fix or reinstall the store package.`);
  });
});

describe('a pack that never finishes its import', () => {
  it('is a PACK_LOAD_FAILED for the import phase within server.storeTimeout, exit 1', async () => {
    const run = await serveWith({ 'slow-pack.mjs': `setInterval(() => {}, 1000);\n${NEVER}export default { apiVersion: 1, name: 'slow', sneks: [] };\n` }, '  store: memory\n  packs: [./slow-pack.mjs]\n');
    expect(run.code).toBe(1);
    expect(oneLine(run)).toMatch(/^snek-server: PACK_LOAD_FAILED: Pack "\.\/slow-pack\.mjs" did not finish loading \(import\) within 1 s\. /);
  });
});
