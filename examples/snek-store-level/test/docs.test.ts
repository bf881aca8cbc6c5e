import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

// docs/writing-a-store.md shows this package's files; CI runs them, so the guide's examples run too.
const guide = await readFile(new URL('../../../docs/writing-a-store.md', import.meta.url), 'utf8');
const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('docs/writing-a-store.md', () => {
  it("shows the kit call that is this store's own conformance test", async () => {
    expect(blocks).toContain(await readFile(new URL('./conformance.test.ts', import.meta.url), 'utf8'));
  });

  it('verify-store, run in the store\'s own folder before publishing as the guide says, passes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'snek-verify-'));
    try {
      const bin = fileURLToPath(new URL('../../../packages/server/bin/snek-server.js', import.meta.url));
      const args = ['verify-store', 'snek-store-level', '--options', JSON.stringify({ dir })];
      const { status, stdout } = spawnSync(process.execPath, [bin, ...args], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', env: { ...process.env, HOME: dir } });
      expect([status, stdout.split('\n').at(-2)]).toEqual([0, 'store "level" is ready: name it in .snekrc as server.store.use: snek-store-level']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names only error codes that exist, and has a section for each load error', async () => {
    const { SNEK_ERROR_CODES } = await import('@snek/core');
    const sections = [...guide.matchAll(/^### (STORE_[A-Z_]+)/gm)].map((m) => m[1]!);
    for (const code of sections) expect(SNEK_ERROR_CODES).toContain(code);
    expect(sections).toEqual(expect.arrayContaining(['STORE_NOT_FOUND', 'STORE_DEPENDENCY_MISSING', 'STORE_INVALID_EXPORT', 'STORE_API_VERSION', 'STORE_OPTIONS_INVALID', 'STORE_INIT_FAILED']));
  });
});
