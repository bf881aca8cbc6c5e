import { describe, expect, it } from '@jest/globals';
import { compareRanks, prepareSearch, rankSneks, searchRank, type SearchPage, type SearchQuery, type Snek, type SnekStore, type StoreBulkWriter, type StoreSearch } from '@snek/core';
import plugin from '../src/index.js';
import { NEAR_MISS_SAMPLE_ABOVE, SAMPLE_ABOVE } from '../src/search-sample.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { cleanedUp, uniqueSchema } from './helpers/test-schemas.js';

const available = await pgAvailable();
const { schemas, open } = cleanedUp<SnekStore>(available);

// Names like the scale bench's: more than SAMPLE_ABOVE, so every tier estimates from a sample, or more than
// NEAR_MISS_SAMPLE_ABOVE only, so near misses alone do.
const ADJECTIVES = ['Sleepy', 'Grumpy', 'Happy', 'Coiled', 'Wavy', 'Tiny'];
const sneks = (count: number): Snek[] =>
  Array.from({ length: count }, (_, i) => ({
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

(available ? describe.each([SAMPLE_ABOVE + 2000, NEAR_MISS_SAMPLE_ABOVE + 2000]) : describe.skip.each([0]))('search() of a store of %i sneks (from a sample)', (count) => {
  const SNEKS = sneks(count);
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
      // Few rows hold the number's pieces: the noodles beside it in name order fill the page.
      { q: 'Tiny noodle 5555', limit: 48 },
      { q: 'Wavy noodle 1111', limit: 20, type: 'cute' },
      // Names that start with the text have runs of every length from its own: a range of keys each.
      { q: 'Tiny noodle 1', limit: 16 },
      { q: 'snek number 99', limit: 30, type: 'plain' },
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
    // Every near miss this near (of similarity 0.5, or 0.45 among fewer, shorter numbers) holds a run of the text's number.
    const [q, near] = count > 10_000 ? ['Snek nubmer 10234', 0.5] : ['Snek nubmer 1234', 0.45];
    const best = rankSneks(SNEKS, prepareSearch(q)).filter((result) => result.rank.score >= near);
    expect(best.length).toBeGreaterThan(4);
    const page = await store.search({ q, limit: 20 });
    expect(page.items.filter((item) => item.rank.score >= near).map((item) => item.snek.id)).toEqual(best.map((result) => result.snek.id));
  });

  it('finds a misspelt name whose number is three digits long', async () => {
    const schema = uniqueSchema('sampled');
    schemas.push(schema);
    const store = (await plugin.create({ url: TEST_PG_URL, schema }, { configDir: process.cwd() })) as Searching;
    open.push(store);
    // The low numbers written last (putMany sorts a call by id), so the first rows holding "snek" are far from them.
    await store.putMany(SNEKS.slice(count / 2));
    await store.putMany(SNEKS.slice(0, count / 2));
    // "517" is the name's one rare part, shorter than the runs of four read for longer words.
    const page = await store.search({ q: 'Snek nubmer 517', limit: 48 });
    expect(page.items.map((item) => item.snek.name)).toContain('Snek number 517');
  });
});
