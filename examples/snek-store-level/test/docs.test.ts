import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';

// docs/writing-a-store.md shows this package's files; CI runs them, so the guide's examples run too.
const guide = await readFile(new URL('../../../docs/writing-a-store.md', import.meta.url), 'utf8');
const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('docs/writing-a-store.md', () => {
  it("shows the kit call that is this store's own conformance test", async () => {
    expect(blocks).toContain(await readFile(new URL('./conformance.test.ts', import.meta.url), 'utf8'));
  });

  it('names only error codes that exist, and has a section for each load error', async () => {
    const { SNEK_ERROR_CODES } = await import('@snek/core');
    const sections = [...guide.matchAll(/^### (STORE_[A-Z_]+)/gm)].map((m) => m[1]!);
    for (const code of sections) expect(SNEK_ERROR_CODES).toContain(code);
    expect(sections).toEqual(expect.arrayContaining(['STORE_NOT_FOUND', 'STORE_DEPENDENCY_MISSING', 'STORE_INVALID_EXPORT', 'STORE_API_VERSION', 'STORE_OPTIONS_INVALID', 'STORE_INIT_FAILED']));
  });
});
