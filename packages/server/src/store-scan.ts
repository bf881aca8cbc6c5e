import { MAX_LIST_LIMIT, type Snek, type SnekPage, type SnekQuery, type SnekStore } from '@snek/core';

/** Calls `visit` with every page of sneks matching the filters; a plain loop, as a generator costs promises. */
export async function eachPage(store: SnekStore, filters: Omit<SnekQuery, 'limit' | 'cursor'>, visit: (sneks: readonly Snek[]) => void): Promise<void> {
  let cursor: string | null = null;
  do {
    const page: SnekPage = await store.list({ ...filters, limit: MAX_LIST_LIMIT, ...(cursor ? { cursor } : {}) });
    visit(page.items);
    cursor = page.nextCursor;
  } while (cursor);
}

/** `[{ type, count }]` sorted by type; the contract has no aggregate call, so this walks the store. */
export async function countTypes(store: SnekStore): Promise<Array<{ type: string; count: number }>> {
  const counts = new Map<string, number>();
  await eachPage(store, {}, (sneks) => {
    for (const snek of sneks) counts.set(snek.type, (counts.get(snek.type) ?? 0) + 1);
  });
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([type, count]) => ({ type, count }));
}
