import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { loadPack } from '@snek/core';

const PACK_DIR = fileURLToPath(new URL('..', import.meta.url));

describe('snek-pack-holidays', () => {
  it('loads through the pack loader, every snek valid, the art read from its files', async () => {
    const pack = await loadPack({ use: PACK_DIR, configDir: path.dirname(PACK_DIR), origin: 'test' });
    expect([pack.name, pack.version]).toEqual(['holidays', '1.0.0']);
    expect(pack.sneks.map((snek) => [snek.id, snek.type])).toEqual([['winter-snek', 'holiday'], ['party-snek', 'holiday'], ['tiny-pumpkin-snek', 'holiday']]);
    expect(pack.sneks[1]!.content).toContain('(___/\\___)~~~~~~<\n');
  });
});
