import assert from 'node:assert/strict';
import { same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { TRICKY_CONTENT, ids, pageThrough, sampleSnek } from '../sample-sneks.js';

export function basicsSuite(harness: Harness): void {
  harness.describe('isolation', () => {
    harness.test('a fresh store is empty: list() gives no items and nextCursor null', async (stores) => {
      const store = await stores.fresh();
      same(await store.list(), { items: [], nextCursor: null });
    });

    harness.test('two fresh stores do not share sneks', async (stores) => {
      const first = await stores.fresh();
      await first.put(sampleSnek('shared'));
      const second = await stores.fresh();
      assert.equal(await second.get('shared'), undefined);
    });
  });

  harness.describe('put(snek) and get(id)', () => {
    for (const [label, content] of Object.entries(TRICKY_CONTENT)) {
      harness.test(`round-trips ${label} byte for byte`, async (stores) => {
        const store = await stores.fresh();
        const snek = sampleSnek('tricky', { name: 'Tricky 🐍 "name" \\', content });
        same(await store.put(snek), { created: true });
        const got = await store.get('tricky');
        same(got, snek);
        assert.ok(Buffer.from(got!.content, 'utf8').equals(Buffer.from(content, 'utf8')), 'the content differs byte for byte');
      });
    }

    harness.test('put(snek) of an existing id reports created: false', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('a'));
      same(await store.put(sampleSnek('a', { name: 'renamed' })), { created: false });
      assert.equal((await store.get('a'))?.name, 'renamed');
    });

    harness.test('overwriting with smaller content leaves exactly the new content', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('shrink', { content: 'a long piece of art\n'.repeat(200) }));
      await store.put(sampleSnek('shrink', { content: 'short' }));
      assert.equal((await store.get('shrink'))?.content, 'short');
      same(ids(await pageThrough(store)), ['shrink']);
    });

    harness.test('get(id) returns a snek the caller cannot change in the store', async (stores) => {
      const store = await stores.fresh();
      const snek = sampleSnek('a');
      await store.put(snek);
      snek.content = 'changed after put';
      const got = (await store.get('a'))!;
      got.content = 'changed after get';
      assert.equal((await store.get('a'))?.content, sampleSnek('a').content);
    });
  });

  harness.describe('missing ids', () => {
    harness.test('get(id) returns undefined for a nonexistent id', async (stores) => {
      const store = await stores.fresh();
      assert.equal(await store.get('nope'), undefined);
    });

    harness.test('delete(id) returns false for a nonexistent id, and true once for an existing one', async (stores) => {
      const store = await stores.fresh();
      assert.equal(await store.delete('nope'), false);
      await store.put(sampleSnek('a'));
      assert.equal(await store.delete('a'), true);
      assert.equal(await store.delete('a'), false);
      assert.equal(await store.get('a'), undefined);
    });

    harness.test('delete(a) leaves ab and a.b: no prefix matching', async (stores) => {
      const store = await stores.fresh();
      for (const id of ['a', 'ab', 'a.b', 'a-b', 'ba']) await store.put(sampleSnek(id));
      assert.equal(await store.delete('a'), true);
      same(ids(await pageThrough(store)), ['a-b', 'a.b', 'ab', 'ba']);
    });
  });
}
