import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { BOOTSTRAP_SNEK_IDS, loadBootstrapSneks, snekSchema } from '../src/index.js';

// SHA-256 of the Python prototype's three files, taken once: the repository carries the tie, not the files.
const PROTOTYPE_SHA256: Record<string, string> = {
  normal: 'dc1b579462083c0f15c8c5e9e815a21ebc0ce73e0c966d43579bf3397c2ac23a',
  fancy: '013d3abecf225fc5163e21fe7e7ba4c8c8de5e9d67b26b40e685f6e875b9d230',
  cute: '92c356e34b1d5952d1a9817ba9800de2bc0f75d6142c1407aebae61914a86b3b',
};

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

describe('loadBootstrapSneks', () => {
  it('gives normal, fancy and cute with id = name = type', async () => {
    const sneks = await loadBootstrapSneks();
    expect(sneks.map((s) => [s.id, s.name, s.type])).toEqual(BOOTSTRAP_SNEK_IDS.map((id) => [id, id, id]));
    for (const snek of sneks) expect(snekSchema.safeParse(snek).success).toBe(true);
  });

  it('ships each file byte for byte as the prototype had it (SHA-256)', async () => {
    for (const id of BOOTSTRAP_SNEK_IDS) {
      expect([id, sha256(await readFile(new URL(`../sneks/${id}.txt`, import.meta.url)))]).toEqual([id, PROTOTYPE_SHA256[id]]);
    }
  });

  it('loads the art exactly as the files hold it', async () => {
    for (const snek of await loadBootstrapSneks()) expect([snek.id, sha256(snek.content)]).toEqual([snek.id, PROTOTYPE_SHA256[snek.id]]);
  });
});
