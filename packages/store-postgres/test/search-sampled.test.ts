import { describe, expect, it } from '@jest/globals';
import { compareRanks, prepareSearch, rankSneks, searchRank, type SearchPage, type SearchQuery, type Snek, type SnekStore, type StoreBulkWriter, type StoreSearch } from '@snek/core';
import plugin from '../src/index.js';
import { SAMPLE_ABOVE } from '../src/search-sample.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { cleanedUp, uniqueSchema } from './helpers/test-schemas.js';

const available = await pgAvailable();
const { schemas, open } = cleanedUp<SnekStore>(available);

// More sneks than SAMPLE_ABOVE, so search estimates from a sample: names like the scale bench's.
const ADJECTIVES = ['Sleepy', 'Grumpy', 'Happy', 'Coiled', 'Wavy', 'Tiny'];
const SNEKS: Snek[] = Array.from({ length: SAMPLE_ABOVE + 2000 }, (_, i) => ({
  id: `snek-${String(i).padStart(7, '0')}`,
  name: i % 8 === 7 ? `${ADJECTIVES[(i >>> 3) % ADJECTIVES.length]} noodle ${i}` : `Snek number ${i}`,
  type: ['cute', 'fancy', 'plain'][i % 3]!,
  content: 'x',
}));

type Searching = SnekStore & StoreSearch & StoreBulkWriter;

/** Every page of `query`, walked by the last item's rank. */
async function walk(store: Searching, query: SearchQuery, pages: number): Promise<SearchPage['items']> {
  const items: SearchPage['items'] = [];
  for (let i = 0; i < pages; i++) {
    const page = await store.search({ ...query, after: items.at(-1)?.rank });
    items.push(...page.items);
    if (!page.more) break;
  }
  return items;
}

(available ? describe : describe.skip)(`search() of a store of more than ${SAMPLE_ABOVE} sneks (from a sample)`, () => {
  it('answers tiers 0–3 as rankSneks does, and near misses ranked as searchRank ranks them, in order, none twice', async () => {
    const schema = uniqueSchema('sampled');
    schemas.push(schema);
    const store = (await plugin.create({ url: TEST_PG_URL, schema }, { configDir: process.cwd() })) as Searching;
    open.push(store);
    await store.putMany(SNEKS);
    for (const query of [
      { q: 'Snek number 1234', limit: 48 },
      { q: 'Snek number 12', limit: 48 },
      { q: 'snek nubmer 4321', limit: 48 },
      { q: 'number', limit: 48 },
      { q: 'NUMBER 11', limit: 20 },
      { q: '2345', limit: 10 },
      { q: 'snek', limit: 30, type: 'fancy' },
      { q: 'noodle 1', limit: 30 },
      { q: 'Snek number 110', limit: 40 },
      { q: 'Snek number 110', limit: 7, type: 'cute' },
      { q: '110', limit: 40 },
      { q: '0001', limit: 30 },
      { q: 'snek-0001', limit: 10, type: 'plain' },
      { q: 'cut', limit: 10 },
    ]) {
      const search = prepareSearch(query.q);
      const expected = rankSneks(SNEKS, search, { type: query.type });
      const items = await walk(store, query, 3);
      const ranks = items.map((item) => ({ id: item.snek.id, rank: item.rank }));
      // Tiers 0–3 are exact: the same sneks in the same order as the reference, as far as they go.
      const exact = expected.filter((result) => result.rank.tier < 4).slice(0, items.length);
      expect({ q: query.q, ranks: ranks.slice(0, exact.length) }).toEqual({ q: query.q, ranks: exact.map((result) => ({ id: result.snek.id, rank: result.rank })) });
      // Near misses: real ones, with searchRank's rank, in rank order, none twice.
      for (const item of items) expect(item.rank).toEqual(searchRank(search, item.snek));
      expect(items.every((item, i) => i === 0 || compareRanks(items[i - 1]!.rank, item.rank) < 0)).toBe(true);
      // Pages are full while the reference has more.
      expect({ q: query.q, count: items.length }).toEqual({ q: query.q, count: Math.min(expected.length, 3 * query.limit) });
    }
  });

  it('finds the best near misses of a text whose rare pieces they hold', async () => {
    const schema = uniqueSchema('sampled');
    schemas.push(schema);
    const store = (await plugin.create({ url: TEST_PG_URL, schema }, { configDir: process.cwd() })) as Searching;
    open.push(store);
    await store.putMany(SNEKS);
    // Every near miss of similarity 0.5 or more holds a run of four digits of the text's number.
    const q = 'Snek nubmer 10234';
    const best = rankSneks(SNEKS, prepareSearch(q)).filter((result) => result.rank.score >= 0.5);
    expect(best.length).toBeGreaterThan(4);
    const page = await store.search({ q, limit: 20 });
    expect(page.items.filter((item) => item.rank.score >= 0.5).map((item) => item.snek.id)).toEqual(best.map((result) => result.snek.id));
  });
});
