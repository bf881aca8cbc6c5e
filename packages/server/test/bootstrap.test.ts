import { describe, expect, it } from '@jest/globals';
import { MemorySnekStore } from '@snek/store-memory';
import { bootstrapSneks } from '../src/bootstrap.js';

describe('bootstrapSneks', () => {
  it('adds normal, fancy and cute to an empty store', async () => {
    const store = new MemorySnekStore();
    expect(await bootstrapSneks(store)).toEqual(['normal', 'fancy', 'cute']);
    expect((await store.list()).items.map((s) => s.id)).toEqual(['cute', 'fancy', 'normal']);
  });

  it("never overwrites a user's edit, and adds only what is missing", async () => {
    const store = new MemorySnekStore();
    const edited = { id: 'cute', name: 'My cute', type: 'cute', content: 'edited\n' };
    await store.put(edited);
    expect(await bootstrapSneks(store)).toEqual(['normal', 'fancy']);
    expect(await store.get('cute')).toEqual(edited);
    expect(await bootstrapSneks(store)).toEqual([]);
  });
});
