import { describe, expect, it } from '@jest/globals';
import type { Harness } from '../harness.js';
import { ids, padded, pageThrough, sampleSnek } from '../sample-sneks.js';

const WRITERS = 32;
const PER_WRITER = 50;

export function concurrencySuite(harness: Harness): void {
  describe('concurrency', () => {
    it(`${WRITERS} concurrent writers × ${PER_WRITER} sneks: none lost`, async () => {
      const store = await harness.fresh();
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, writer) => {
          for (const id of padded(`w${String(writer).padStart(2, '0')}-`, PER_WRITER)) {
            expect(await store.put(sampleSnek(id, { content: `written by ${writer}: ${id}` }))).toEqual({ created: true });
          }
        }),
      );
      const all = await pageThrough(store, { limit: 500 });
      expect(all).toHaveLength(WRITERS * PER_WRITER);
      expect(new Set(ids(all)).size).toBe(WRITERS * PER_WRITER);
      for (const snek of all) expect(snek.content).toBe(`written by ${Number(snek.id.slice(1, 3))}: ${snek.id}`);
    }, 120_000);

    it('concurrent writes of different values to one id leave exactly one of them, never a mix', async () => {
      const store = await harness.fresh();
      for (let round = 0; round < 5; round++) {
        // Lengths differ widely, so a torn write would show as a prefix of one value and the tail of another.
        const values = Array.from({ length: 16 }, (_, i) => `${String.fromCharCode(97 + i)}${round}`.repeat(1 + ((i * 997) % 4000)));
        const results = await Promise.all(values.map((content) => store.put(sampleSnek('contended', { content, name: content.slice(0, 20) }))));
        expect(results.filter((r) => r.created).length).toBe(round === 0 ? 1 : 0);
        const final = (await store.get('contended'))!;
        expect(values).toContain(final.content);
        expect(final.name).toBe(final.content.slice(0, 20));
        expect(ids(await pageThrough(store))).toEqual(['contended']);
      }
    }, 120_000);

    it('concurrent puts and deletes of many ids settle to what was last acknowledged per id', async () => {
      const store = await harness.fresh();
      const keys = padded('k', 40);
      await Promise.all(keys.map((id) => store.put(sampleSnek(id))));
      await Promise.all(keys.map((id, i) => (i % 2 ? store.delete(id) : store.put(sampleSnek(id, { content: 'kept' })))));
      const left = await pageThrough(store);
      expect(ids(left)).toEqual(keys.filter((_, i) => i % 2 === 0));
      for (const snek of left) expect(snek.content).toBe('kept');
    }, 120_000);
  });
}
