import {
  browsesSorted,
  compareRanks,
  compareSortPositions,
  countsTypes,
  decodeCursor,
  decodeSearchCursor,
  decodeSortCursor,
  encodeSearchCursor,
  encodeSortCursor,
  keepsChangeLog,
  MAX_LIST_LIMIT,
  prepareSearch,
  rankSneks,
  searchesSneks,
  sortPosition,
  type BrowsePage,
  type BrowseQuery,
  type BrowsedChange,
  type SearchPage,
  type SearchQuery,
  type SearchRank,
  type Snek,
  type SnekPage,
  type SnekSort,
  type SnekStore,
  type SortPosition,
} from '@snek/core';

import { SCAN_BOUND, idPageAfter, idPageBefore, isPageCursor, listCursorOf, withListCursor } from './list-walk.js';

export { SCAN_BOUND };

/** What GET /v1/sneks and the gallery ask for, validated. */
export interface FindQuery {
  /** Search text: ranked results (no `sort`, no `name`). */
  q?: string | undefined;
  /** Exact name (the prototype's lookup): id order, forward only. */
  name?: string | undefined;
  type?: string | undefined;
  /** Absent: id order. */
  sort?: SnekSort | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** A page as the API answers it. */
export interface FoundPage {
  items: Snek[];
  nextCursor: string | null;
  prevCursor: string | null;
  /** Index of the first item among all results (0-based), when the page knows it: "49–96 of N". */
  offset?: number;
  /** How many sneks match, when that is cheap to know (no search, no name filter, a store that counts types). */
  total?: number;
  /** For a search, each item's rank, in order (the gallery highlights by it). */
  ranks?: SearchRank[];
  /** True when the store lacked the capability and only the first {@link SCAN_BOUND} sneks were looked at. */
  scanned?: boolean;
  /** Each item's newest change, in order, when the store read them with the page (BrowsePage's `latest`). */
  latest?: Array<BrowsedChange | null>;
}

/** One walk for every listing: search, sorted pages both ways, or the store's own id-ordered list. */
export async function findSneks(store: SnekStore, query: FindQuery): Promise<FoundPage> {
  if (query.q !== undefined) return search(store, query.q, query);
  if (query.name !== undefined) return byName(store, query.name, query);
  return sorted(store, query.sort ?? 'id', query);
}

/** How many results a search's Previous page reads at most, from the first one, to find the page before. */
export const SEARCH_BACK_BOUND = 2000;

async function search(store: SnekStore, q: string, query: FindQuery): Promise<FoundPage> {
  const from = query.cursor === undefined ? undefined : decodeSearchCursor(query.cursor, q, query.type);
  const read = (after: SearchRank | undefined, limit: number) => {
    const request: SearchQuery = { q, limit, ...(query.type === undefined ? {} : { type: query.type }), ...(after ? { after } : {}) };
    return searchesSneks(store) ? store.search(request).then((page) => ({ page, scanned: false })) : scanSearch(store, request);
  };
  let offset = from ? from.offset : 0;
  let { page, scanned } = from?.direction === 'before' ? { page: { items: [], more: true }, scanned: false } : await read(from?.rank, query.limit);
  // The page before a rank: read from the first result.
  if (from?.direction === 'before') {
    const back = await searchBefore(read, from.rank, query.limit);
    ({ page, scanned } = back);
    offset = back.offset;
  }
  // An empty page past the end (its results gone since) leads back from where its cursor stood.
  const first = page.items[0] ?? (from ? { rank: from.rank } : undefined);
  const last = page.items.at(-1);
  const next = (from?.direction === 'before' && page.items.length > 0) || page.more;
  return {
    items: page.items.map((item) => item.snek),
    ranks: page.items.map((item) => item.rank),
    nextCursor: next && last ? encodeSearchCursor(q, query.type, { direction: 'after', rank: last.rank, offset: offset === undefined ? undefined : offset + page.items.length }) : null,
    prevCursor: first && offset !== 0 ? encodeSearchCursor(q, query.type, { direction: 'before', rank: first.rank, offset: offset === undefined ? undefined : Math.max(0, offset - query.limit) }) : null,
    ...(offset === undefined ? {} : { offset }),
    ...(scanned ? { scanned } : {}),
  };
}

/**
 * The `limit` results just before `rank`, read from the first result on; past
 * {@link SEARCH_BACK_BOUND} results it gives up and answers the first page.
 */
async function searchBefore(
  read: (after: SearchRank | undefined, limit: number) => Promise<{ page: SearchPage; scanned: boolean }>,
  rank: SearchRank,
  limit: number,
): Promise<{ page: SearchPage; scanned: boolean; offset: number }> {
  const kept: SearchPage['items'] = [];
  let before = 0;
  let after: SearchRank | undefined;
  let scanned = false;
  for (;;) {
    const { page, scanned: partial } = await read(after, MAX_LIST_LIMIT);
    scanned ||= partial;
    const at = page.items.findIndex((item) => compareRanks(item.rank, rank) >= 0);
    const taken = at === -1 ? page.items : page.items.slice(0, at);
    kept.push(...taken);
    before += taken.length;
    kept.splice(0, Math.max(0, kept.length - limit));
    if (at !== -1 || !page.more) return { page: { items: kept, more: before > kept.length }, scanned, offset: before - kept.length };
    if (before >= SEARCH_BACK_BOUND) return { ...(await read(undefined, limit)), offset: 0 };
    after = page.items.at(-1)!.rank;
  }
}

async function byName(store: SnekStore, name: string, query: FindQuery): Promise<FoundPage> {
  const page = await store.list({ name, limit: query.limit, ...(query.type === undefined ? {} : { type: query.type }), ...(query.cursor === undefined ? {} : { cursor: query.cursor }) });
  return { items: page.items, nextCursor: page.nextCursor, prevCursor: null };
}

async function sorted(store: SnekStore, sort: SnekSort, query: FindQuery): Promise<FoundPage> {
  const cursor = query.cursor === undefined ? undefined : readSortCursor(store, query.cursor, sort);
  const base = { sort, limit: query.limit, ...(query.type === undefined ? {} : { type: query.type }) };
  const [first, total] = await Promise.all([
    readSorted(store, cursor?.position ? { ...base, [cursor.direction]: cursor.position } : base, cursor?.listCursor),
    countOf(store, query.type),
  ]);
  let answer = first;
  // After a cursor of list()'s own, where the page stands is not known.
  let offset = cursor === undefined ? 0 : cursor.offset;
  const backwards = cursor?.direction === 'before';
  let reachedStart = cursor === undefined;
  if (backwards && !first.page.more) {
    // Back at the start: answer the first page whole, rather than the few sneks left before the cursor.
    if (first.page.items.length < query.limit) answer = await readSorted(store, base);
    offset = 0;
    reachedStart = true;
  }
  const { page, scanned, listCursor } = answer;
  // An empty page past the end (its sneks deleted since) leads back from where its cursor stood.
  const head = page.items[0] ?? (cursor?.position && !backwards ? { position: cursor.position } : undefined);
  const last = page.items.at(-1);
  // A page read backwards has the page it came from after it; the first page read anew knows for itself.
  const more = backwards && answer === first ? true : page.more;
  const next = more && last ? encodeSortCursor({ sort, direction: 'after', position: last.position, offset: offset === undefined ? undefined : offset + page.items.length }) : null;
  return {
    items: page.items.map((item) => item.snek),
    nextCursor: next === null ? null : withListCursor(next, listCursor),
    prevCursor: !reachedStart && head ? encodeSortCursor({ sort, direction: 'before', position: head.position, offset: offset === undefined ? undefined : Math.max(0, offset - query.limit) }) : null,
    ...(offset === undefined ? {} : { offset }),
    // A scan saw only part of the store, so the store's whole count would not match the pages.
    ...(total === undefined || scanned ? {} : { total }),
    ...(scanned ? { scanned } : {}),
    ...(page.items.length > 0 && page.items.every((item) => item.latest !== undefined) ? { latest: page.items.map((item) => item.latest!) } : {}),
  };
}

/** A page cursor as read: `position` absent for a cursor of list()'s own, which `listCursor` then holds. */
interface ReadCursor {
  direction: 'after' | 'before';
  position?: SortPosition;
  offset?: number;
  listCursor?: string | undefined;
}

/**
 * A sorted cursor; in id order also a plain list() cursor: the id cursor of
 * `encodeCursor`, or on a store without `browse` any cursor of that store's own list(), passed to it unchanged.
 */
function readSortCursor(store: SnekStore, text: string, sort: SnekSort): ReadCursor {
  if (sort !== 'id' || isPageCursor(text)) {
    const cursor = decodeSortCursor(text, sort);
    return { direction: cursor.direction, position: cursor.position, offset: cursor.offset, listCursor: cursor.direction === 'after' ? listCursorOf(text) : undefined };
  }
  if (!browsesSorted(store)) return { direction: 'after', listCursor: text };
  // Neither kind: decodeSortCursor says what is wrong with it.
  const id = tryDecodeCursor(text) ?? decodeSortCursor(text, sort).position.id;
  return { direction: 'after', position: { key: id, id } };
}

function tryDecodeCursor(text: string): string | undefined {
  try {
    return decodeCursor(text);
  } catch {
    return undefined;
  }
}

interface Sorted {
  page: BrowsePage;
  scanned: boolean;
  /** list()'s own cursor after the page, for a store without `browse` in id order. */
  listCursor?: string | undefined;
}

async function readSorted(store: SnekStore, query: BrowseQuery, listCursor?: string): Promise<Sorted> {
  if (browsesSorted(store)) return { page: await store.browse(query), scanned: false };
  if (query.sort !== 'id') return scanBrowse(store, query);
  // Id order is what list() does, at any size: forwards from its own cursor, else by walking it to the id.
  const filter = { limit: query.limit, ...(query.type === undefined ? {} : { type: query.type }) };
  const found = query.before
    ? await idPageBefore(store, { ...filter, before: query.before.id })
    : await idPageAfter(store, { ...filter, after: query.after?.id, listCursor });
  return { page: { items: found.items.map(atId), more: found.more }, scanned: found.gaveUp === true, listCursor: found.listCursor };
}

const atId = (snek: Snek) => ({ snek, position: { key: snek.id, id: snek.id } });

/** The total of sneks (of `type`), from the store's type counts; undefined when it would mean a walk. */
async function countOf(store: SnekStore, type: string | undefined): Promise<number | undefined> {
  if (!countsTypes(store)) return undefined;
  const counts = await store.countTypes();
  return type === undefined ? counts.reduce((sum, entry) => sum + entry.count, 0) : (counts.find((entry) => entry.type === type)?.count ?? 0);
}

/** The first {@link SCAN_BOUND} sneks (of `type`) in id order, and whether there were more. */
async function scan(store: SnekStore, type: string | undefined): Promise<{ sneks: Snek[]; scanned: boolean }> {
  const sneks: Snek[] = [];
  let cursor: string | null = null;
  // One snek past the bound tells "more" from "exactly SCAN_BOUND", which a page's nextCursor alone may not.
  do {
    const limit = Math.min(MAX_LIST_LIMIT, SCAN_BOUND + 1 - sneks.length);
    const page: SnekPage = await store.list({ limit, ...(type === undefined ? {} : { type }), ...(cursor ? { cursor } : {}) });
    sneks.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && sneks.length <= SCAN_BOUND);
  return { sneks: sneks.slice(0, SCAN_BOUND), scanned: sneks.length > SCAN_BOUND };
}

async function scanSearch(store: SnekStore, query: SearchQuery): Promise<{ page: SearchPage; scanned: boolean }> {
  const { sneks, scanned } = await scan(store, query.type);
  const ranked = rankSneks(sneks, prepareSearch(query.q), { after: query.after });
  return { page: { items: ranked.slice(0, query.limit), more: ranked.length > query.limit }, scanned };
}

async function scanBrowse(store: SnekStore, query: BrowseQuery): Promise<{ page: BrowsePage; scanned: boolean }> {
  const { sneks, scanned } = await scan(store, query.type);
  const seqs = new Map<string, number>();
  if (query.sort === 'updated' && keepsChangeLog(store)) {
    for (let at = 0; at < sneks.length; at += MAX_LIST_LIMIT) {
      for (const change of await store.latestChanges(sneks.slice(at, at + MAX_LIST_LIMIT).map((snek) => snek.id))) seqs.set(change.id, change.seq);
    }
  }
  const order = (a: SortPosition, b: SortPosition) => compareSortPositions(query.sort, a, b);
  const all = sneks.map((snek) => ({ snek, position: sortPosition(query.sort, snek, seqs.get(snek.id) ?? 0) })).sort((a, b) => order(a.position, b.position));
  if (query.before) {
    const end = all.findIndex((item) => order(item.position, query.before!) >= 0);
    const stop = end === -1 ? all.length : end;
    const start = Math.max(0, stop - query.limit);
    return { page: { items: all.slice(start, stop), more: start > 0 }, scanned };
  }
  const start = query.after ? all.findIndex((item) => order(item.position, query.after!) > 0) : 0;
  const from = start === -1 ? all.length : start;
  return { page: { items: all.slice(from, from + query.limit), more: all.length > from + query.limit }, scanned };
}
