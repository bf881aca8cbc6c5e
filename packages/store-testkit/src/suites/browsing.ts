import { compareSortPositions, keepsChangeLog, sortPosition, type SnekSort, type SnekStore, type SortPosition, type StoreBrowse } from '@snek/core';
import { same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { pageThrough } from '../sample-sneks.js';

/** Every snek in `sort`, forwards page by page with `after`. */
export async function browseForward(store: SnekStore & StoreBrowse, sort: SnekSort, type?: string, limit = 4): Promise<Array<{ id: string; position: SortPosition }>> {
  const found: Array<{ id: string; position: SortPosition }> = [];
  let after: SortPosition | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.browse({ sort, limit, ...(type === undefined ? {} : { type }), ...(after ? { after } : {}) });
    if (page.items.length > limit) throw new Error(`browse() gave ${page.items.length} sneks for limit ${limit}`);
    found.push(...page.items.map((item) => ({ id: item.snek.id, position: item.position })));
    if (!page.more) return found;
    after = page.items.at(-1)!.position;
  }
  throw new Error('browse() never said more: false');
}

/** Every snek in `sort`, backwards from the end page by page with `before`, put back in sort order. */
async function browseBackward(store: SnekStore & StoreBrowse, sort: SnekSort, last: SortPosition, type?: string, limit = 3): Promise<string[]> {
  const pages: string[][] = [];
  let before: SortPosition | undefined = last;
  for (let count = 0; count < 10_000 && before; count++) {
    const page = await store.browse({ sort, limit, before, ...(type === undefined ? {} : { type }) });
    if (page.items.length > limit) throw new Error(`browse() gave ${page.items.length} sneks for limit ${limit}`);
    pages.unshift(page.items.map((item) => item.snek.id));
    before = page.more ? page.items[0]!.position : undefined;
  }
  return pages.flat();
}

/** What browse must equal: a walk through list(), each snek placed by core's order. */
export async function referenceOrder(store: SnekStore, sort: SnekSort, type?: string): Promise<Array<{ id: string; position: SortPosition }>> {
  const all = await pageThrough(store, type === undefined ? { limit: 500 } : { limit: 500, type });
  const seqs = new Map<string, number>();
  if (sort === 'updated' && keepsChangeLog(store)) for (const change of await store.latestChanges(all.map((snek) => snek.id))) seqs.set(change.id, change.seq);
  return all
    .map((snek) => ({ id: snek.id, position: sortPosition(sort, snek, seqs.get(snek.id) ?? 0) }))
    .sort((a, b) => compareSortPositions(sort, a.position, b.position));
}

const NAMES = ['Snek 10', 'Snek 2', 'snek 1', 'Snek 02', 'Snek 100', 'Alpha', 'alpha', 'Émile', 'Zed', 'Snek 2a', 'Snek 2 b', '🐍 snek', 'Snek 9', 'ünicode'];

/** The optional browse(): each sort, both ways, filtered, equal to core's order over a walk through list(). */
export function browsingSuite(harness: Harness<SnekStore & StoreBrowse>): void {
  harness.describe('browse() (optional: StoreBrowse)', () => {
    harness.test('sorts by name naturally: "Snek 2" before "Snek 10"', async (stores) => {
      const store = await stores.fresh();
      for (const [i, name] of ['Snek 10', 'Snek 2', 'Snek 1'].entries()) await store.put({ id: `n${i}`, name, type: 'plain', content: 'x' });
      same((await browseForward(store, 'name')).map((found) => found.id), ['n2', 'n1', 'n0']);
    });

    harness.test('equals core\'s order for every sort, forwards and backwards, with and without a type', async (stores) => {
      const store = await stores.fresh();
      for (let i = 0; i < 30; i++) await store.put({ id: `b${(i * 7) % 30}`, name: NAMES[i % NAMES.length]!, type: i % 3 === 0 ? 'cute' : 'plain', content: `~${i}` });
      // Rewrite a few, so that the last change differs from the first.
      for (const id of ['b3', 'b17', 'b0']) await store.put({ id, name: 'Rewritten', type: 'plain', content: 'y' });
      await store.delete('b5');
      for (const sort of ['id', 'name', 'updated'] as const) {
        if (sort === 'updated' && !keepsChangeLog(store)) continue;
        for (const type of [undefined, 'cute']) {
          const expected = await referenceOrder(store, sort, type);
          const forward = await browseForward(store, sort, type);
          same(forward, expected, `browse sort=${sort} type=${type ?? '(any)'}`);
          const after = await store.browse({ sort, limit: 500, ...(type ? { type } : {}), after: expected.at(-1)!.position });
          same(after, { items: [], more: false }, 'nothing after the last');
          const backward = await browseBackward(store, sort, { key: sort === 'updated' ? -1 : '\u{10ffff}', id: '\u{10ffff}' }, type);
          same(backward, expected.map((found) => found.id), `backwards sort=${sort} type=${type ?? '(any)'}`);
        }
      }
    });

    harness.test('an item\'s latest, where a store gives it, is the snek\'s newest change as latestChanges gives it, on every item or none', async (stores) => {
      const store = await stores.fresh();
      for (let i = 0; i < 6; i++) await store.put({ id: `l${i}`, name: `Snek ${i}`, type: i % 2 ? 'cute' : 'plain', content: 'x' }, { actor: { kind: 'token', id: `t${i}` } });
      await store.put({ id: 'l2', name: 'Snek 2', type: 'plain', content: 'rewritten' }, { actor: { kind: 'person', id: 'p1', name: 'Ada' } });
      for (const sort of ['id', 'name', 'updated'] as const) {
        if (sort === 'updated' && !keepsChangeLog(store)) continue;
        for (const query of [{ sort, limit: 4 }, { sort, limit: 4, type: 'plain' }, { sort, limit: 2, before: { key: sort === 'updated' ? -1 : '\u{10ffff}', id: '\u{10ffff}' } }]) {
          const { items } = await store.browse(query);
          const given = items.filter((item) => item.latest !== undefined).length;
          if (given === 0) continue;
          same(given, items.length, `latest on every item or none: ${JSON.stringify(query)}`);
          if (!keepsChangeLog(store)) throw new Error('browse() gave latest without a change log');
          const newest = new Map((await store.latestChanges(items.map((item) => item.snek.id))).map((change) => [change.id, change]));
          same(
            items.map((item) => item.latest),
            items.map((item) => {
              const change = newest.get(item.snek.id);
              return change ? { seq: change.seq, actor: change.actor, at: change.at } : null;
            }),
            `latest of ${JSON.stringify(query)}`,
          );
        }
      }
    });

    harness.test('a page after a deleted snek neither repeats nor skips the rest', async (stores) => {
      const store = await stores.fresh();
      for (let i = 0; i < 9; i++) await store.put({ id: `d${i}`, name: `Snek ${i}`, type: 'plain', content: 'x' });
      const first = await store.browse({ sort: 'name', limit: 3 });
      await store.delete(first.items.at(-1)!.snek.id);
      const second = await store.browse({ sort: 'name', limit: 3, after: first.items.at(-1)!.position });
      same(second.items.map((item) => item.snek.id), ['d3', 'd4', 'd5']);
      same(second.more, true);
    });
  });
}
