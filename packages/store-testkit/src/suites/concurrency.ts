import assert from 'node:assert/strict';
import { keepsChangeLog } from '@snek/core';
import { same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { ids, padded, pageThrough, sampleSnek } from '../sample-sneks.js';

const WRITERS = 32;
const PER_WRITER = 50;

export function concurrencySuite(harness: Harness): void {
  harness.describe('concurrency', () => {
    harness.test(
      `${WRITERS} concurrent writers × ${PER_WRITER} sneks: none lost`,
      async (stores) => {
        const store = await stores.fresh();
        await Promise.all(
          Array.from({ length: WRITERS }, async (_, writer) => {
            for (const id of padded(`w${String(writer).padStart(2, '0')}-`, PER_WRITER)) {
              same(await store.put(sampleSnek(id, { content: `written by ${writer}: ${id}` })), { created: true }, `put(${id})`);
            }
          }),
        );
        const all = await pageThrough(store, { limit: 500 });
        assert.equal(all.length, WRITERS * PER_WRITER);
        assert.equal(new Set(ids(all)).size, WRITERS * PER_WRITER);
        for (const snek of all) assert.equal(snek.content, `written by ${Number(snek.id.slice(1, 3))}: ${snek.id}`);
      },
      120_000,
    );

    harness.test(
      'concurrent writes of different values to one id leave exactly one of them, never a mix',
      async (stores) => {
        const store = await stores.fresh();
        for (let round = 0; round < 5; round++) {
          // Lengths differ widely, so a torn write would show as a prefix of one value and the tail of another.
          const values = Array.from({ length: 16 }, (_, i) => `${String.fromCharCode(97 + i)}${round}`.repeat(1 + ((i * 997) % 4000)));
          const results = await Promise.all(values.map((content) => store.put(sampleSnek('contended', { content, name: content.slice(0, 20) }))));
          assert.equal(results.filter((r) => r.created).length, round === 0 ? 1 : 0, `round ${round}: how many puts reported created`);
          const final = (await store.get('contended'))!;
          assert.ok(values.includes(final.content), `round ${round}: the content left is none of the values written`);
          assert.equal(final.name, final.content.slice(0, 20));
          if (keepsChangeLog(store)) {
            // The log's newest change of an id is what the row holds: writes of one id commit in the order they log.
            const [newest] = await store.latestChanges(['contended']);
            assert.equal(newest?.snek?.content, final.content, `round ${round}: the newest change is not the snek left`);
          }
          same(ids(await pageThrough(store)), ['contended']);
        }
      },
      120_000,
    );

    harness.test(
      'concurrent puts and deletes of many ids settle to what was last acknowledged per id',
      async (stores) => {
        const store = await stores.fresh();
        const keys = padded('k', 40);
        await Promise.all(keys.map((id) => store.put(sampleSnek(id))));
        await Promise.all(keys.map((id, i) => (i % 2 ? store.delete(id) : store.put(sampleSnek(id, { content: 'kept' })))));
        const left = await pageThrough(store);
        same(ids(left), keys.filter((_, i) => i % 2 === 0));
        for (const snek of left) assert.equal(snek.content, 'kept');
      },
      120_000,
    );
  });
}
