import { MAX_LIST_LIMIT, compareKeys, type Snek, type SnekPage, type SnekStore } from '@snek/core';

// Id order over list() for a store without `browse`. A store's list() cursor is its own (docs/stores.md's example
// uses the bare id), so the server never makes one: it keeps the store's, in `l` of its own sorted cursor, and
// where it has none (a page read backwards) walks list() from the start to the id it knows.

/**
 * A store without `browse` or `search` is sorted or searched over a scan of at most this many sneks, in id order;
 * beyond it the answer says `scanned` (docs/api.md). A walk in id order reads at most this many to find its place.
 * A store with the capability is never scanned.
 */
export const SCAN_BOUND = 10_000;
/** A store's cursor longer than this is not carried: the next page walks to its id instead. */
const MAX_LIST_CURSOR = 1000;
/** What page-cursor.ts reads at most, and the API's query takes. */
const MAX_CURSOR_LENGTH = 2000;

export interface IdPage {
  items: Snek[];
  /** Whether sneks lie beyond the page in the direction it was read. */
  more: boolean;
  /** list()'s own cursor for the sneks after the page's last, when known. */
  listCursor?: string | undefined;
  /** The walk passed {@link SCAN_BOUND} without reaching the id: these are the first sneks instead. */
  gaveUp?: boolean;
}

interface Filter {
  type?: string | undefined;
  limit: number;
}

const list = (store: SnekStore, filter: { type?: string | undefined }, limit: number, cursor: string | undefined): Promise<SnekPage> =>
  store.list({ limit, ...(filter.type === undefined ? {} : { type: filter.type }), ...(cursor === undefined ? {} : { cursor }) });

const pageOf = (page: SnekPage): IdPage => ({ items: page.items, more: page.nextCursor !== null, listCursor: page.nextCursor ?? undefined });

/** The page after id `after` (or from list()'s own `listCursor`, or from the start). */
export async function idPageAfter(store: SnekStore, filter: Filter & { after?: string | undefined; listCursor?: string | undefined }): Promise<IdPage> {
  if (filter.listCursor !== undefined || filter.after === undefined) return pageOf(await list(store, filter, filter.limit, filter.listCursor));
  const after = filter.after;
  const found = await walkTo(store, filter, (snek) => compareKeys(snek.id, after) > 0);
  if (!found) return { ...pageOf(await list(store, filter, filter.limit, undefined)), gaveUp: true };
  if (found.at === undefined) return { items: [], more: false };
  return pageOf(await list(store, filter, filter.limit, await cursorBefore(store, filter, found.cursor, found.at)));
}

/** The `limit` sneks before id `before`, with list()'s cursor for the sneks after them. */
export async function idPageBefore(store: SnekStore, filter: Filter & { before: string }): Promise<IdPage> {
  const window: Snek[] = [];
  let read = 0;
  const found = await walkTo(store, filter, (snek) => {
    if (compareKeys(snek.id, filter.before) >= 0) return true;
    window.push(snek);
    if (window.length > filter.limit) window.shift();
    read++;
    return false;
  });
  if (!found) return { ...pageOf(await list(store, filter, filter.limit, undefined)), more: false, gaveUp: true };
  const listCursor = found.at === undefined ? undefined : await cursorBefore(store, filter, found.cursor, found.at);
  return { items: window, more: read > window.length, listCursor };
}

/**
 * Reads list() from the start until `stop` says yes: the cursor of that page and the index in it (`at` undefined:
 * list() ended first). Undefined past {@link SCAN_BOUND} sneks.
 */
async function walkTo(store: SnekStore, filter: Filter, stop: (snek: Snek) => boolean): Promise<{ cursor: string | undefined; at?: number } | undefined> {
  let cursor: string | undefined;
  let read = 0;
  for (;;) {
    const page = await list(store, filter, MAX_LIST_LIMIT, cursor);
    const at = page.items.findIndex(stop);
    if (at !== -1) return { cursor, at };
    if (page.nextCursor === null) return { cursor };
    read += page.items.length;
    if (read >= SCAN_BOUND) return undefined;
    cursor = page.nextCursor;
  }
}

/** list()'s cursor for the sneks from index `at` of the page that `cursor` opens. */
async function cursorBefore(store: SnekStore, filter: Filter, cursor: string | undefined, at: number): Promise<string | undefined> {
  if (at === 0) return cursor;
  return (await list(store, filter, at, cursor)).nextCursor ?? undefined;
}

/** `cursor` (a sorted cursor of ours) with list()'s own cursor in `l`, when there is one short enough to carry. */
export function withListCursor(cursor: string, listCursor: string | undefined): string {
  if (listCursor === undefined || listCursor.length > MAX_LIST_CURSOR) return cursor;
  const fields = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  const carried = Buffer.from(JSON.stringify({ ...fields, l: listCursor }), 'utf8').toString('base64url');
  return carried.length <= MAX_CURSOR_LENGTH ? carried : cursor;
}

/** The `l` of a sorted cursor that decodeSortCursor has read already; undefined when it has none. */
export function listCursorOf(cursor: string): string | undefined {
  const { l } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  return typeof l === 'string' && l.length <= MAX_LIST_CURSOR ? l : undefined;
}

/** Whether `text` has the shape of the server's sorted and search cursors (base64url of a JSON object with `s`). */
export function isPageCursor(text: string): boolean {
  try {
    const fields: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    return typeof fields === 'object' && fields !== null && typeof (fields as Record<string, unknown>)['s'] === 'string';
  } catch {
    return false;
  }
}
