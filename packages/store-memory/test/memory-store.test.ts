import { beforeEach, describe, expect, it } from '@jest/globals';
import { SnekError, type Snek, type SnekStore } from '@snek/core';
import plugin, { MemorySnekStore } from '../src/index.js';

const snek = (id: string, over: Partial<Snek> = {}): Snek => ({ id, name: id, type: 'plain', content: `art of ${id}\n`, ...over });

async function pageThrough(store: SnekStore, query: { name?: string; type?: string; limit?: number } = {}): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ ...query, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((s) => s.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

let store: MemorySnekStore;
beforeEach(() => {
  store = new MemorySnekStore();
});

describe('MemorySnekStore', () => {
  it('put(snek) reports created, then replaced; get(id) returns the latest', async () => {
    expect(await store.put(snek('a'))).toEqual({ created: true });
    expect(await store.put(snek('a', { content: 'v2' }))).toEqual({ created: false });
    expect(await store.get('a')).toEqual(snek('a', { content: 'v2' }));
  });

  it('get(id) returns undefined and delete(id) returns false for a missing id', async () => {
    expect(await store.get('nope')).toBeUndefined();
    expect(await store.delete('nope')).toBe(false);
  });

  it('delete(id) removes only that id: a leaves ab and a.b', async () => {
    for (const id of ['a', 'ab', 'a.b']) await store.put(snek(id));
    expect(await store.delete('a')).toBe(true);
    expect(await pageThrough(store)).toEqual(['a.b', 'ab']);
  });

  it('hands out copies, so callers cannot change stored sneks', async () => {
    const original = snek('a');
    await store.put(original);
    original.content = 'changed';
    const got = (await store.get('a'))!;
    got.name = 'changed';
    expect(await store.get('a')).toEqual(snek('a'));
  });

  it('list() pages through 250 sneks in id order, each exactly once', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `s${String(i).padStart(3, '0')}`);
    for (const id of [...ids].reverse()) await store.put(snek(id));
    const first = await store.list();
    expect(first.items).toHaveLength(100);
    expect(await pageThrough(store, { limit: 7 })).toEqual(ids);
  });

  it('list() gives nextCursor null on the last page, even when it is exactly full', async () => {
    for (const id of ['a', 'b', 'c', 'd']) await store.put(snek(id));
    const first = await store.list({ limit: 2 });
    const last = await store.list({ limit: 2, cursor: first.nextCursor! });
    expect(last).toEqual({ items: [snek('c'), snek('d')], nextCursor: null });
  });

  it('list() clamps limit to 1..500', async () => {
    for (let i = 0; i < 600; i++) await store.put(snek(`id${String(i).padStart(3, '0')}`));
    expect((await store.list({ limit: 10_000 })).items).toHaveLength(500);
    expect((await store.list({ limit: 0 })).items).toHaveLength(1);
  });

  it('list() filters by name, by type and by both, exactly', async () => {
    await store.put(snek('a', { name: 'Sid', type: 'cute' }));
    await store.put(snek('b', { name: 'Sid', type: 'fancy' }));
    await store.put(snek('c', { name: 'Sidney', type: 'cute' }));
    await store.put(snek('d', { name: 'sid', type: 'cute' }));
    expect(await pageThrough(store, { name: 'Sid' })).toEqual(['a', 'b']);
    expect(await pageThrough(store, { type: 'cute', limit: 1 })).toEqual(['a', 'c', 'd']);
    expect(await pageThrough(store, { name: 'Sid', type: 'cute' })).toEqual(['a']);
    expect(await pageThrough(store, { name: 'Nobody' })).toEqual([]);
  });

  it('list() moves sneks between filter results when put() changes their name or type', async () => {
    await store.put(snek('a', { type: 'cute' }));
    await store.put(snek('a', { type: 'fancy' }));
    expect(await pageThrough(store, { type: 'cute' })).toEqual([]);
    expect(await pageThrough(store, { type: 'fancy' })).toEqual(['a']);
  });

  it('list() neither repeats nor skips when sneks are deleted between pages', async () => {
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) await store.put(snek(id));
    const first = await store.list({ limit: 2 });
    await store.delete('b');
    await store.delete('c');
    const second = await store.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((s) => s.id)).toEqual(['d', 'e']);
  });

  it('list() rejects a tampered cursor with SNEK_INVALID', async () => {
    await expect(store.list({ cursor: 'nonsense' })).rejects.toMatchObject({ code: 'SNEK_INVALID' });
  });

  it('close() is idempotent, and any call after it fails with STORE_CLOSED', async () => {
    await store.close();
    await store.close();
    for (const call of [() => store.get('a'), () => store.put(snek('a')), () => store.delete('a'), () => store.list()]) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(SnekError.hasCode(error, 'STORE_CLOSED')).toBe(true);
    }
  });
});

describe('memory store plugin', () => {
  it('declares contract v1 and creates an empty store', async () => {
    expect(plugin).toMatchObject({ apiVersion: 1, name: 'memory' });
    const created = await plugin.create(undefined, { configDir: '/' });
    expect(await created.list()).toEqual({ items: [], nextCursor: null });
  });

  it('rejects options with STORE_OPTIONS_INVALID', () => {
    const error = (() => {
      try {
        plugin.create({ size: 1 } as never, { configDir: '/' });
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(SnekError.hasCode(error, 'STORE_OPTIONS_INVALID')).toBe(true);
  });
});
