import { MAX_LIST_LIMIT, type Snek, type SnekQuery, type SnekStore } from '@snek/core';

/** Every snek matching the filters, page by page, for routes whose answer covers them all. */
export async function* allSneks(store: SnekStore, filters: Omit<SnekQuery, 'limit' | 'cursor'> = {}): AsyncGenerator<Snek> {
  let cursor: string | null | undefined;
  do {
    const page = await store.list({ ...filters, limit: MAX_LIST_LIMIT, ...(cursor ? { cursor } : {}) });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor);
}

/** `[{ type, count }]` sorted by type; the contract has no aggregate call, so this walks the store. */
export async function countTypes(store: SnekStore): Promise<Array<{ type: string; count: number }>> {
  const counts = new Map<string, number>();
  for await (const snek of allSneks(store)) counts.set(snek.type, (counts.get(snek.type) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([type, count]) => ({ type, count }));
}
