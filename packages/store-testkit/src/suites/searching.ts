import { compareRanks, prepareSearch, rankSneks, type SearchRank, type Snek, type SnekStore, type StoreSearch } from '@snek/core';
import { same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { pageThrough } from '../sample-sneks.js';

/** Every result of a search, page by page, following `after` to the end. */
export async function searchThrough(store: SnekStore & StoreSearch, q: string, type?: string, limit = 7): Promise<Array<{ id: string; rank: SearchRank }>> {
  const found: Array<{ id: string; rank: SearchRank }> = [];
  let after: SearchRank | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.search({ q, limit, ...(type === undefined ? {} : { type }), ...(after ? { after } : {}) });
    if (page.items.length > limit) throw new Error(`search() gave ${page.items.length} results for limit ${limit}`);
    found.push(...page.items.map((item) => ({ id: item.snek.id, rank: item.rank })));
    if (!page.more) return found;
    if (page.items.length === 0) throw new Error('search() said more, with an empty page');
    after = page.items.at(-1)!.rank;
  }
  throw new Error('search() never said more: false');
}

/** What search must equal: core's plain reference over a walk through list(). */
export async function referenceSearch(store: SnekStore, q: string, type?: string): Promise<Array<{ id: string; rank: SearchRank }>> {
  const all = await pageThrough(store, { limit: 500 });
  return rankSneks(all, prepareSearch(q), { type }).map(({ snek, rank }) => ({ id: snek.id, rank }));
}

// A small random generator with a seed, so that a failure can be replayed.
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const WORDS = ['Snek', 'snek', 'Nagini', 'number', 'numbr', 'Cute', 'fancy', 'Straße', 'STRASSE', 'ΣΊΣΥΦΟΣ', 'naïve', '100%', 'a_b', 'x"y', 'back\\slash', '2', '10', '007', '🐍', '日本語'];
const TYPES = ['cute', 'fancy', 'plain', 'number-7'];

function randomSneks(count: number, next: () => number): Snek[] {
  const pick = <T>(from: readonly T[]) => from[Math.floor(next() * from.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const words = Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(WORDS));
    return { id: `r${i}-${pick(['a', 'b', 'snek', 'cute'])}`, name: words.join(' '), type: pick(TYPES), content: `~<${i}\n` };
  });
}

/** The optional search(), held to core's reference implementation on random data, in rank order. */
export function searchingSuite(harness: Harness<SnekStore & StoreSearch>): void {
  harness.describe('search() (optional: StoreSearch)', () => {
    harness.test('equals the reference ranking on random sneks, page by page, with and without a type', async (stores) => {
      const store = await stores.fresh();
      const next = random(20261201);
      for (const snek of randomSneks(160, next)) await store.put(snek);
      const queries = ['snek', 'SNEK', 'snek number', 'numbr', 'nagni', 'strasse', 'straße', 'σίσυφος', 'naive', '100%', '%', '_', 'a_b', '"', '\\', '2', '10', '7', 'cute', 'number-7', '🐍', '日本', 'zzzz', 'fancy cute'];
      for (const q of queries) {
        same(await searchThrough(store, q), await referenceSearch(store, q), `search "${q}"`);
        same(await searchThrough(store, q, 'cute', 5), await referenceSearch(store, q, 'cute'), `search "${q}" in type cute`);
      }
    });

    harness.test('ranks the exact name, then names that start with the text, that contain it, ids and types, then near misses', async (stores) => {
      const store = await stores.fresh();
      const sneks: Snek[] = [
        { id: 'near', name: 'Snek numbr 7', type: 'plain', content: 'x' },
        { id: 'inside', name: 'My snek number 7', type: 'plain', content: 'x' },
        { id: 'starts', name: 'Snek number 7 again', type: 'plain', content: 'x' },
        { id: 'exact', name: 'SNEK NUMBER 7', type: 'plain', content: 'x' },
        { id: 'snek-number-7-id', name: 'Something else', type: 'plain', content: 'x' },
        { id: 'unrelated', name: 'Nothing alike', type: 'plain', content: 'x' },
      ];
      for (const snek of sneks) await store.put(snek);
      const found = await searchThrough(store, 'snek number 7');
      same(found.map((result) => result.id), ['exact', 'starts', 'inside', 'near']);
      same(found.map((result) => result.rank.tier), [0, 1, 2, 4]);
      // The id matches as text; the names share its trigrams, so they follow as near misses.
      const byId = await searchThrough(store, 'snek-number-7');
      same(byId.filter((result) => result.rank.tier === 3).map((result) => result.id), ['snek-number-7-id']);
      same(byId[0]!.id, 'snek-number-7-id');
    });

    harness.test('follows writes: a renamed snek is found by its new name only, a deleted one not at all', async (stores) => {
      const store = await stores.fresh();
      await store.put({ id: 'a', name: 'Wiggly', type: 'plain', content: 'x' });
      await store.put({ id: 'b', name: 'Wiggly too', type: 'plain', content: 'x' });
      await store.put({ id: 'a', name: 'Straight', type: 'plain', content: 'x' });
      await store.delete('b');
      same(await searchThrough(store, 'wiggly'), []);
      same((await searchThrough(store, 'straight')).map((result) => result.id), ['a']);
    });

    harness.test('pages never repeat or skip a result, in the order compareRanks gives', async (stores) => {
      const store = await stores.fresh();
      for (let i = 0; i < 40; i++) await store.put({ id: `s${i}`, name: `Snek ${i}`, type: 'plain', content: 'x' });
      const found = await searchThrough(store, 'snek', undefined, 3);
      same(found.length, 40);
      for (let i = 1; i < found.length; i++) same(compareRanks(found[i - 1]!.rank, found[i]!.rank) < 0, true, `results ${i - 1} and ${i} in order`);
      same(found.slice(0, 3).map((result) => result.id), ['s0', 's1', 's2']);
      same(found[10]!.id, 's10');
    });
  });
}
