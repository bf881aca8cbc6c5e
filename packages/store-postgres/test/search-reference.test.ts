import { describe, expect, it } from '@jest/globals';
import { prepareSearch, rankSneks, type Snek, type SnekStore } from '@snek/core';
import plugin from '../src/index.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { cleanedUp, uniqueSchema } from './helpers/test-schemas.js';

const available = await pgAvailable();
const { schemas, open } = cleanedUp<SnekStore>(available);

// The testkit's "ranks the exact name, then…" expects search("snek-number-7") to find the id alone; core's rankSneks
// also finds the four names as near misses (pg_trgm and core split words at "-", so their similarity is up to 1).
// This holds the store to rankSneks on those sneks.
const SNEKS: Snek[] = [
  { id: 'near', name: 'Snek numbr 7', type: 'plain', content: 'x' },
  { id: 'inside', name: 'My snek number 7', type: 'plain', content: 'x' },
  { id: 'starts', name: 'Snek number 7 again', type: 'plain', content: 'x' },
  { id: 'exact', name: 'SNEK NUMBER 7', type: 'plain', content: 'x' },
  { id: 'snek-number-7-id', name: 'Something else', type: 'plain', content: 'x' },
  { id: 'unrelated', name: 'Nothing alike', type: 'plain', content: 'x' },
];

(available ? describe : describe.skip)('search() against rankSneks where the testkit expects otherwise', () => {
  it('search("snek-number-7") gives the id in tier 3, then the names as near misses, as rankSneks does', async () => {
    const schema = uniqueSchema('reference');
    schemas.push(schema);
    const store = await plugin.create({ url: TEST_PG_URL, schema }, { configDir: process.cwd() });
    open.push(store);
    for (const snek of SNEKS) await store.put(snek);
    for (const q of ['snek-number-7', 'snek number 7']) {
      const page = await (store as SnekStore & { search: (query: { q: string; limit: number }) => Promise<{ items: Array<{ snek: Snek; rank: unknown }> }> }).search({ q, limit: 10 });
      expect(page.items.map((item) => [item.snek.id, item.rank])).toEqual(rankSneks(SNEKS, prepareSearch(q)).map((result) => [result.snek.id, result.rank]));
    }
  });
});
