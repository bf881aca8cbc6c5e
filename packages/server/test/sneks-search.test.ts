import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compareKeys, encodeCursor, encodeSortCursor, naturalKey, prepareSearch, rankSneks, type Snek } from '@snek/core';
import { SCAN_BOUND } from '../src/find-sneks.js';
import { parseListParams } from '../src/validation.js';
import { startTestServer, type TestServer } from './helpers/in-process.js';
import { BUILT_IN_STORES, dropBuiltInStoreData } from './helpers/store-configs.js';

// GET /v1/sneks?q=&sort=&cursor= on the real server: the stores that may search and browse themselves, and a
// third-party store with the base contract alone, which the server sorts and ranks over a bounded scan.
const fixture = (name: string) => JSON.stringify(fileURLToPath(new URL(`./fixtures/stores/${name}/`, import.meta.url)));
const STORES: Record<string, string> = {
  memory: BUILT_IN_STORES.memory,
  sqlite: BUILT_IN_STORES.sqlite,
  ...(BUILT_IN_STORES.postgres ? { postgres: BUILT_IN_STORES.postgres } : {}),
  'base-only': `server:\n  store: { use: ${fixture('base-only')} }\n`,
};

interface Page {
  items: Snek[];
  nextCursor: string | null;
  prevCursor: string | null;
  offset?: number;
  total?: number;
  scanned?: boolean;
}

// Names for every tier of q=snek, natural order, and characters that mean something to SQL LIKE, regexes or quoting.
const SNEKS: Array<Pick<Snek, 'id' | 'name' | 'type'>> = [
  { id: 'plain', name: 'Snek', type: 'test' },
  { id: 'two', name: 'Snek 2', type: 'test' },
  { id: 'ten', name: 'Snek 10', type: 'test' },
  { id: 'one', name: 'Snek 1', type: 'test' },
  { id: 'big', name: 'Big Snek', type: 'test' },
  { id: 'snek-slithery', name: 'Slithery', type: 'test' },
  { id: 'coily', name: 'Coily', type: 'snekish' },
  { id: 'typo', name: 'Sneek', type: 'test' },
  { id: 'unrelated', name: 'Python', type: 'test' },
  { id: 'percent', name: '100% snek', type: 'meta' },
  { id: 'underscore', name: 'snek_case', type: 'meta' },
  { id: 'quotes', name: `O'Snek "quoted"`, type: 'meta' },
  { id: 'backslash', name: 'back\\slash snek', type: 'meta' },
  { id: 'regex', name: 'a.*b (snek)+ [x]', type: 'meta' },
];

describe.each(Object.keys(STORES))('GET /v1/sneks on the %s store', (store) => {
  let server: TestServer;
  let all: Snek[];
  const get = async (params: Record<string, string>) => {
    const response = await server.request(`/v1/sneks?${new URLSearchParams(params)}`);
    return { status: response.status, body: (await response.json()) as Page & { code?: string; detail?: string } };
  };
  const page = async (params: Record<string, string>): Promise<Page> => {
    const { status, body } = await get(params);
    expect([status, body.detail]).toEqual([200, undefined]);
    return body;
  };
  const ids = (sneks: readonly Pick<Snek, 'id'>[]) => sneks.map((snek) => snek.id);
  /** Every page forwards from the first, each with its offset. */
  const walk = async (params: Record<string, string>) => {
    const pages: Page[] = [];
    let cursor: string | null | undefined;
    do {
      pages.push(await page({ ...params, ...(cursor ? { cursor } : {}) }));
      cursor = pages.at(-1)!.nextCursor;
    } while (cursor && pages.length < 100);
    return pages;
  };

  beforeAll(async () => {
    server = await startTestServer({ snekrc: STORES[store]! });
    for (const snek of SNEKS) {
      const response = await server.request(`/v1/sneks/${snek.id}`, { method: 'PUT', json: { name: snek.name, type: snek.type, content: `${snek.name}\n` } });
      expect(response.status).toBe(201);
    }
    all = (await walk({ limit: '500' })).flatMap((p) => p.items);
    expect(all.length).toBeGreaterThanOrEqual(SNEKS.length);
  });
  afterAll(async () => {
    await server.stop();
    await dropBuiltInStoreData();
  });

  it('q=snek ranks exact name, then starts with, contains, id or type, near miss; exactly as rankSneks', async () => {
    const found = await page({ q: 'snek', limit: '500' });
    const expected = rankSneks(all, prepareSearch('snek'));
    expect(ids(found.items)).toEqual(ids(expected.map((entry) => entry.snek)));
    // Named tiers, so that the comparison above is not of the ranking with itself alone.
    expect(found.items[0]!.id).toBe('plain');
    const at = (id: string) => ids(found.items).indexOf(id);
    expect(at('one')).toBeLessThan(at('two'));
    expect(at('two')).toBeLessThan(at('ten'));
    expect(at('ten')).toBeLessThan(at('big'));
    expect(at('big')).toBeLessThan(at('snek-slithery'));
    expect(at('snek-slithery')).toBeLessThan(at('typo'));
    expect(at('coily')).toBeLessThan(at('typo'));
    expect(at('unrelated')).toBe(-1);
    expect([found.offset, found.prevCursor, found.nextCursor, found.total]).toEqual([0, null, null, undefined]);
  });

  it('q combines with type, and pages of a search follow each other with their offsets', async () => {
    expect(ids((await page({ q: 'snek', type: 'meta' })).items)).toEqual(ids(rankSneks(all, prepareSearch('snek'), { type: 'meta' }).map((entry) => entry.snek)));
    const pages = await walk({ q: 'snek', limit: '2' });
    expect(ids(pages.flatMap((p) => p.items))).toEqual(ids((await page({ q: 'snek', limit: '500' })).items));
    expect(pages.map((p) => p.offset)).toEqual(pages.map((_, i) => i * 2));
    // And back: each prevCursor gives the page before, with its offset, to the first, whose prevCursor is null.
    expect(pages[0]!.prevCursor).toBeNull();
    for (let i = pages.length - 1; i > 0; i--) {
      const back = await page({ q: 'snek', limit: '2', cursor: pages[i]!.prevCursor! });
      expect([ids(back.items), back.offset]).toEqual([ids(pages[i - 1]!.items), (i - 1) * 2]);
    }
  });

  it.each([['%'], ['_'], ["O'"], ['"quoted"'], ['\\'], ['.*'], ['(snek)+'], ['[x]'], ['%snek%'], ['_nek'], ["'; DROP TABLE sneks; --"], ['ß'], ['🐍']])('q=%s matches its characters literally, as rankSneks does', async (q) => {
    expect(ids((await page({ q, limit: '500' })).items)).toEqual(ids(rankSneks(all, prepareSearch(q)).map((entry) => entry.snek)));
  });

  it('sort=name is natural order ("Snek 2" before "Snek 10"), with offset, total and prevCursor both ways', async () => {
    const pages = await walk({ sort: 'name', limit: '3' });
    const forward = pages.flatMap((p) => p.items);
    const byName = [...all].sort((a, b) => compareKeys(naturalKey(a.name), naturalKey(b.name)) || compareKeys(a.id, b.id));
    expect(ids(forward)).toEqual(ids(byName));
    expect(ids(forward).indexOf('two')).toBeLessThan(ids(forward).indexOf('ten'));
    expect(pages.map((p) => p.offset)).toEqual(pages.map((_, i) => i * 3));
    // A store that counts its types knows the total; the base contract does not.
    for (const p of pages) expect(p.total).toBe(store === 'base-only' ? undefined : all.length);
    expect(pages[0]!.prevCursor).toBeNull();
    expect(pages.at(-1)!.nextCursor).toBeNull();
    // Back from the last page, page by page, to the first: the same pages in reverse.
    const backward: Page[] = [pages.at(-1)!];
    while (backward.at(-1)!.prevCursor && backward.length < 100) backward.push(await page({ sort: 'name', limit: '3', cursor: backward.at(-1)!.prevCursor! }));
    expect(backward.map((p) => ids(p.items))).toEqual(pages.map((p) => ids(p.items)).reverse());
    expect(backward.map((p) => p.offset)).toEqual(pages.map((p) => p.offset).reverse());
    // And forward again from a page read backwards.
    expect(ids((await page({ sort: 'name', limit: '3', cursor: backward.at(-2)!.nextCursor! })).items)).toEqual(ids(backward.at(-3)!.items));
  });

  it('sort=id pages both ways too, and sort=updated puts the newest change first', async () => {
    const pages = await walk({ sort: 'id', limit: '4' });
    expect(ids(pages.flatMap((p) => p.items))).toEqual(ids(all));
    const back = await page({ sort: 'id', limit: '4', cursor: pages.at(-1)!.prevCursor! });
    expect([ids(back.items), back.offset]).toEqual([ids(pages.at(-2)!.items), pages.at(-2)!.offset]);
    expect(ids((await page({ sort: 'id', limit: '4', cursor: back.nextCursor! })).items)).toEqual(ids(pages.at(-1)!.items));
    // A cursor that carries no list() cursor of the store's own: a store without browse walks to its id.
    const bare = encodeSortCursor({ sort: 'id', direction: 'after', position: { key: all[3]!.id, id: all[3]!.id }, offset: 4 });
    const walked = await page({ sort: 'id', limit: '4', cursor: bare });
    expect([ids(walked.items), walked.offset]).toEqual([ids(all.slice(4, 8)), 4]);
    expect(ids((await page({ sort: 'id', limit: '4', cursor: walked.nextCursor! })).items)).toEqual(ids(all.slice(8, 12)));
    // No sort is id order, and its cursors are the same; the id cursor of list() pages still pages on.
    expect(await page({ limit: '4' })).toEqual(pages[0]);
    // (The base-only store's own cursor is the bare id.)
    const listCursor = store === 'base-only' ? all[3]!.id : encodeCursor(all[3]!.id);
    expect(ids((await page({ limit: '4', cursor: listCursor })).items)).toEqual(ids(all.slice(4, 8)));
    const touched = await server.request('/v1/sneks/coily', { method: 'PUT', json: { name: 'Coily', type: 'snekish', content: 'again\n' } });
    expect(touched.status).toBe(200);
    const updated = await walk({ sort: 'updated', limit: '5' });
    expect(ids(updated.flatMap((p) => p.items)).sort()).toEqual(ids(all).sort());
    // Without a change log every snek is as old as the next, and the order is by id.
    expect(updated[0]!.items[0]!.id).toBe(store === 'base-only' ? ids(all)[0] : 'coily');
  });

  it('a search is never answered from before a write', async () => {
    expect((await page({ q: 'freshly written' })).items).toEqual([]);
    expect((await server.request('/v1/sneks/fresh', { method: 'PUT', json: { name: 'Freshly written', type: 'test', content: 'new\n' } })).status).toBe(201);
    expect(ids((await page({ q: 'freshly written' })).items)).toEqual(['fresh']);
    expect((await server.request('/v1/sneks/fresh', { method: 'DELETE' })).status).toBe(204);
    expect((await page({ q: 'freshly written' })).items).toEqual([]);
  });

  it('refuses what cannot be answered with a 400 that says why, and a cursor of one sort or search on another', async () => {
    const name = (await page({ sort: 'name', limit: '2' })).nextCursor!;
    const search = (await page({ q: 'snek', limit: '2' })).nextCursor!;
    const refused: Array<[Record<string, string>, RegExp]> = [
      [{ q: '' }, /q.*must not be empty/],
      [{ q: 'x'.repeat(101) }, /at most 100/],
      [{ q: 'a\u0000b' }, /control characters/],
      [{ q: 'tab\there' }, /control characters/],
      [{ sort: 'size' }, /sort/],
      [{ q: 'snek', sort: 'name' }, /q and sort/],
      [{ q: 'snek', name: 'Snek' }, /q and name/],
      [{ sort: 'id', cursor: name }, /sort=name, and this request sorts by id/],
      [{ cursor: name }, /sort=name/],
      [{ sort: 'updated', cursor: name }, /sort=name/],
      [{ sort: 'name', cursor: search }, /belongs to a search/],
      [{ q: 'snek', cursor: name }, /not for a search/],
      [{ q: 'other', cursor: search }, /another search/],
      [{ q: 'snek', type: 'meta', cursor: search }, /another search/],
    ];
    for (const [params, why] of refused) {
      const { status, body } = await get(params);
      expect({ params, status, code: body.code, matches: why.test(String(body.detail)) }).toEqual({ params, status: 400, code: 'SNEK_INVALID', matches: true });
    }
  });

  it('GET /v1/types gives the total beside the counts', async () => {
    const response = await server.request('/v1/types');
    const body = (await response.json()) as { types: Array<{ count: number }>; total: number };
    expect(body.total).toBe(all.length);
    expect(body.types.reduce((sum, entry) => sum + entry.count, 0)).toBe(all.length);
  });
});

describe(`a store without browse or search, past SCAN_BOUND (${SCAN_BOUND}) sneks`, () => {
  const EXTRA = 600;
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ snekrc: `server:\n  store: { use: ${fixture('base-only')}, options: { generate: ${SCAN_BOUND + EXTRA} } }\n` });
  });
  afterAll(() => server.stop());
  const page = async (params: Record<string, string>): Promise<Page> => {
    const response = await server.request(`/v1/sneks?${new URLSearchParams(params)}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Page;
  };

  it('ranks and sorts the first SCAN_BOUND sneks in id order, and says so with scanned: true', async () => {
    const everything: Snek[] = [];
    let cursor: string | null = null;
    do {
      const next: Page = await page({ limit: '500', ...(cursor ? { cursor } : {}) });
      // Id order forwards is list() itself: it sees every snek, and is not a scan.
      expect(next.scanned).toBeUndefined();
      everything.push(...next.items);
      cursor = next.nextCursor;
    } while (cursor);
    expect(everything.length).toBe(SCAN_BOUND + EXTRA);
    const scannedSet = everything.slice(0, SCAN_BOUND);
    const search = await page({ q: 'Snek number 7', limit: '50' });
    expect(search.scanned).toBe(true);
    expect(search.items.map((s) => s.id)).toEqual(rankSneks(scannedSet, prepareSearch('Snek number 7')).slice(0, 50).map((entry) => entry.snek.id));
    const byName = await page({ sort: 'name', limit: '5' });
    expect(byName.scanned).toBe(true);
    expect(byName.items.map((s) => s.name)).toEqual(scannedSet.map((s) => s.name).sort((a, b) => compareKeys(naturalKey(a), naturalKey(b))).slice(0, 5));
  });

  it('pages back in id order within the bound, and from beyond it back to the first page, scanned', async () => {
    const first = await page({ limit: '100' });
    const second = await page({ limit: '100', cursor: first.nextCursor! });
    const back = await page({ limit: '100', cursor: second.prevCursor! });
    expect([back.items.map((s) => s.id), back.offset, back.prevCursor, back.scanned]).toEqual([first.items.map((s) => s.id), 0, null, undefined]);
    // The last page of 500 starts past SCAN_BOUND: the page before it is too far to walk to.
    let last = await page({ limit: '500' });
    while (last.nextCursor) last = await page({ limit: '500', cursor: last.nextCursor });
    expect(last.offset).toBeGreaterThan(SCAN_BOUND);
    const beyond = await page({ limit: '100', cursor: last.prevCursor! });
    expect([beyond.items.map((s) => s.id), beyond.offset, beyond.prevCursor, beyond.scanned]).toEqual([first.items.map((s) => s.id), 0, null, true]);
  });
});

describe('parseListParams, which the gallery calls with what its form sent', () => {
  it('refuses search text with a lone surrogate, which a URL cannot carry (it decodes to U+FFFD) but a caller can', () => {
    for (const q of ['\ud800', 'a\udc00b']) expect(() => parseListParams({ q })).toThrow(/q: must be well-formed Unicode/);
    expect(parseListParams({ q: '🐍' })).toEqual({ q: '🐍', limit: 100 });
  });
});
