import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';

// The README's example is the fs store's own conformance test, which CI runs: so the example runs too.
describe('the README example', () => {
  it('is, line for line, the test @snek/store-fs runs', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)![1];
    const fsTest = await readFile(new URL('../../store-fs/test/conformance.test.ts', import.meta.url), 'utf8');
    expect(example).toBe(fsTest);
  });
});
