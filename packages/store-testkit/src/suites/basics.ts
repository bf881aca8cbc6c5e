import { describe, expect, it } from '@jest/globals';
import type { Harness } from '../harness.js';
import { TRICKY_CONTENT, ids, pageThrough, sampleSnek } from '../sample-sneks.js';

export function basicsSuite(harness: Harness): void {
  describe('isolation', () => {
    it('a fresh store is empty: list() gives no items and nextCursor null', async () => {
      const store = await harness.fresh();
      expect(await store.list()).toEqual({ items: [], nextCursor: null });
    });

    it('two fresh stores do not share sneks', async () => {
      const first = await harness.fresh();
      await first.put(sampleSnek('shared'));
      const second = await harness.fresh();
      expect(await second.get('shared')).toBeUndefined();
    });
  });

  describe('put(snek) and get(id)', () => {
    it.each(Object.entries(TRICKY_CONTENT))('round-trips %s byte for byte', async (_label, content) => {
      const store = await harness.fresh();
      const snek = sampleSnek('tricky', { name: 'Tricky 🐍 "name" \\', content });
      expect(await store.put(snek)).toEqual({ created: true });
      const got = await store.get('tricky');
      expect(got).toEqual(snek);
      expect(Buffer.from(got!.content, 'utf8').equals(Buffer.from(content, 'utf8'))).toBe(true);
    });

    it('put(snek) of an existing id reports created: false', async () => {
      const store = await harness.fresh();
      await store.put(sampleSnek('a'));
      expect(await store.put(sampleSnek('a', { name: 'renamed' }))).toEqual({ created: false });
      expect((await store.get('a'))?.name).toBe('renamed');
    });

    it('overwriting with smaller content leaves exactly the new content', async () => {
      const store = await harness.fresh();
      await store.put(sampleSnek('shrink', { content: 'a long piece of art\n'.repeat(200) }));
      await store.put(sampleSnek('shrink', { content: 'short' }));
      expect((await store.get('shrink'))?.content).toBe('short');
      expect(ids(await pageThrough(store))).toEqual(['shrink']);
    });

    it('get(id) returns a snek the caller cannot change in the store', async () => {
      const store = await harness.fresh();
      const snek = sampleSnek('a');
      await store.put(snek);
      snek.content = 'changed after put';
      const got = (await store.get('a'))!;
      got.content = 'changed after get';
      expect((await store.get('a'))?.content).toBe(sampleSnek('a').content);
    });
  });

  describe('missing ids', () => {
    it('get(id) returns undefined for a nonexistent id', async () => {
      const store = await harness.fresh();
      expect(await store.get('nope')).toBeUndefined();
    });

    it('delete(id) returns false for a nonexistent id, and true once for an existing one', async () => {
      const store = await harness.fresh();
      expect(await store.delete('nope')).toBe(false);
      await store.put(sampleSnek('a'));
      expect(await store.delete('a')).toBe(true);
      expect(await store.delete('a')).toBe(false);
      expect(await store.get('a')).toBeUndefined();
    });

    it('delete(a) leaves ab and a.b: no prefix matching', async () => {
      const store = await harness.fresh();
      for (const id of ['a', 'ab', 'a.b', 'a-b', 'ba']) await store.put(sampleSnek(id));
      expect(await store.delete('a')).toBe(true);
      expect(ids(await pageThrough(store))).toEqual(['a-b', 'a.b', 'ab', 'ba']);
    });
  });
}
