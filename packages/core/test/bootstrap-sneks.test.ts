import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { BOOTSTRAP_SNEK_IDS, loadBootstrapSneks, snekSchema } from '../src/index.js';

const seed = (id: string) => readFile(new URL(`../../../../shared/seed/sneks/${id}.txt`, import.meta.url));

describe('loadBootstrapSneks', () => {
  it('gives normal, fancy and cute with id = name = type', async () => {
    const sneks = await loadBootstrapSneks();
    expect(sneks.map((s) => [s.id, s.name, s.type])).toEqual(BOOTSTRAP_SNEK_IDS.map((id) => [id, id, id]));
    for (const snek of sneks) expect(snekSchema.safeParse(snek).success).toBe(true);
  });

  it('ships the art byte for byte as the seed in shared/seed/sneks', async () => {
    for (const snek of await loadBootstrapSneks()) {
      expect(Buffer.from(snek.content, 'utf8').equals(await seed(snek.id))).toBe(true);
    }
  });
});
