import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { loadPack } from '@snek/core';
import classic, { CLASSIC_SNEK_IDS } from '../src/index.js';

// The prototype's art, tied by digest: a changed byte (a stripped trailing space, CRLF) fails here.
const SHA256 = {
  normal: 'dc1b579462083c0f15c8c5e9e815a21ebc0ce73e0c966d43579bf3397c2ac23a',
  fancy: '013d3abecf225fc5163e21fe7e7ba4c8c8de5e9d67b26b40e685f6e875b9d230',
  cute: '92c356e34b1d5952d1a9817ba9800de2bc0f75d6142c1407aebae61914a86b3b',
};
const PACK_DIR = fileURLToPath(new URL('..', import.meta.url));

describe('@snek/pack-classic', () => {
  it.each(CLASSIC_SNEK_IDS)('ships %s.txt byte for byte as the prototype did', async (id) => {
    const bytes = await readFile(new URL(`../sneks/${id}.txt`, import.meta.url));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(SHA256[id]);
  });

  it('is the pack "classic" of normal, fancy and cute, id = name = type, art in sneks/', () => {
    expect(classic.name).toBe('classic');
    expect(classic.sneks).toEqual(CLASSIC_SNEK_IDS.map((id) => ({ id, name: id, type: id, file: `sneks/${id}.txt` })));
  });

  it('loads through the pack loader with the art unchanged, and its package version', async () => {
    const pack = await loadPack({ use: PACK_DIR, configDir: path.dirname(PACK_DIR), origin: 'test' });
    expect(pack.name).toBe('classic');
    expect(pack.version).toBe(JSON.parse(await readFile(path.join(PACK_DIR, 'package.json'), 'utf8')).version);
    for (const snek of pack.sneks) {
      expect(createHash('sha256').update(snek.content, 'utf8').digest('hex')).toBe(SHA256[snek.id as keyof typeof SHA256]);
    }
  });
});
