import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { DEV_TOOL_RANGES, SNEK_CORE_RANGE, STORE_TESTKIT_RANGE } from '../src/index.js';

const manifest = async (relative: string) => JSON.parse(await readFile(new URL(relative, import.meta.url), 'utf8')) as { version: string; devDependencies: Record<string, string> };

describe('the versions a generated store asks for', () => {
  it('are the tools this repository tests its own stores with', async () => {
    const root = await manifest('../../../package.json');
    for (const [tool, range] of Object.entries(DEV_TOOL_RANGES)) expect([tool, range]).toEqual([tool, root.devDependencies[tool]]);
  });

  it('match the @snek/core and @snek/store-testkit published from here', async () => {
    expect(SNEK_CORE_RANGE).toBe(`^${(await manifest('../../core/package.json')).version}`);
    expect(STORE_TESTKIT_RANGE).toBe(`^${(await manifest('../../store-testkit/package.json')).version}`);
  });
});
