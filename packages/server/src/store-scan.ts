import { MAX_LIST_LIMIT, countsTypes, type Snek, type SnekPage, type SnekQuery, type SnekStore, type TypeCount } from '@snek/core';

/** Calls `visit` with every page of sneks matching the filters; a plain loop, as a generator costs promises. */
export async function eachPage(store: SnekStore, filters: Omit<SnekQuery, 'limit' | 'cursor'>, visit: (sneks: readonly Snek[]) => void): Promise<void> {
  let cursor: string | null = null;
  do {
    const page: SnekPage = await store.list({ ...filters, limit: MAX_LIST_LIMIT, ...(cursor ? { cursor } : {}) });
    visit(page.items);
    cursor = page.nextCursor;
  } while (cursor);
}

/** `[{ type, count }]` sorted by type: the store's own count when it has one, else a walk through every snek. */
export async function countTypes(store: SnekStore): Promise<TypeCount[]> {
  if (countsTypes(store)) return store.countTypes();
  const counts = new Map<string, number>();
  await eachPage(store, {}, (sneks) => {
    for (const snek of sneks) counts.set(snek.type, (counts.get(snek.type) ?? 0) + 1);
  });
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([type, count]) => ({ type, count }));
}
