import { spawn } from 'node:child_process';
import { mkdir, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { scaffoldStore } from '../src/index.js';
import { baseEnv } from './helpers/run-create.js';
import { STORE_CAPABILITIES } from '@snek/core';
import { lacking } from '../../store-testkit/src/capabilities.js';

// The generated package, built and tested by its own scripts with this workspace's copies of what it declares,
// linked in instead of installed: quick and offline. The registry e2e (server/test/scaffold-registry.test.ts) installs for real.
const WORKSPACE = fileURLToPath(new URL('../../../', import.meta.url));
const LINKS: Record<string, string> = {
  '@snek/core': 'packages/core',
  '@snek/store-testkit': 'packages/store-testkit',
  '@jest/globals': 'node_modules/@jest/globals',
  '@types/node': 'node_modules/@types/node',
  jest: 'node_modules/jest',
  'ts-jest': 'node_modules/ts-jest',
  typescript: 'node_modules/typescript',
};

let dir: TempDir;
let folder: string;
beforeAll(async () => {
  dir = await tempDir('snek-create-pkg-');
  ({ folder } = await scaffoldStore({ folder: path.join(dir.path, 'linked'), packageName: 'snek-store-linked', description: 'd' }));
  for (const [name, target] of Object.entries(LINKS)) {
    await mkdir(path.dirname(path.join(folder, 'node_modules', name)), { recursive: true });
    await symlink(path.join(WORKSPACE, target), path.join(folder, 'node_modules', name));
  }
  await mkdir(path.join(folder, 'node_modules/.bin'));
  await symlink('../typescript/bin/tsc', path.join(folder, 'node_modules/.bin/tsc'));
});
afterAll(() => dir.cleanup());

function npmRun(script: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', script], { cwd: folder, env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('a generated store package', () => {
  it('typechecks, sources and test alike (npm run typecheck)', async () => {
    const run = await npmRun('typecheck');
    expect([run.code, run.output]).toEqual([0, expect.not.stringContaining('error TS')]);
  }, 180_000);

  it('passes the conformance kit (npm test)', async () => {
    const run = await npmRun('test');
    expect(run.code).toBe(0);
    expect(run.output).toContain('linked conforms to the Snek store contract v1');
    // The skeleton has none of the optional methods and no reopen: those checks are skipped, each saying why.
    for (const { name } of STORE_CAPABILITIES) expect(run.output).toContain(`— skipped: ${lacking(name)}`);
    expect(run.output).toMatch(/Tests: +\d+ skipped, [1-9]\d* passed, \d+ total/);
    expect(run.output).toContain('— skipped: the store has no putMany() (StoreBulkWriter)');
    expect(run.output).toContain('— skipped: no reopen option was given');
    expect(run.output).toContain('— skipped: the store has no putIf() and deleteIf() (StoreConditionalWriter)');
    expect(run.output).not.toMatch(/failed/);
  }, 180_000);

  it('builds dist/ with the entry its exports name (npm run build)', async () => {
    const run = await npmRun('build');
    expect([run.code, run.output]).toEqual([0, expect.not.stringContaining('error TS')]);
    expect((await readdir(path.join(folder, 'dist'))).filter((file) => /\.(js|d\.ts)$/.test(file)).sort()).toEqual(['index.d.ts', 'index.js', 'map-store.d.ts', 'map-store.js', 'plugin.d.ts', 'plugin.js']);
    const { default: plugin } = (await import(path.join(folder, 'dist/index.js'))) as { default: { apiVersion: number; name: string } };
    expect([plugin.apiVersion, plugin.name]).toEqual([1, 'linked']);
  }, 180_000);
});
