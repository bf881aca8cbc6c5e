import { describe, expect, it } from '@jest/globals';
import type { LoadedPack, SnekStore } from '@snek/core';
import { MemorySnekStore } from '@snek/store-memory';
import { applyPack, seedPacks } from '../src/seed-packs.js';

const pack = (name: string, ids: string[]): LoadedPack => ({ use: name, name, version: '1.0.0', specifier: name, sneks: ids.map((id) => ({ id, name: id, type: name, content: `${id}\n` })) });
const ids = async (store: SnekStore) => (await store.list()).items.map((snek) => snek.id);

/** The memory store with only the five required methods: a store that keeps no seed ledger. */
function withoutLedger(store: MemorySnekStore): SnekStore {
  return { get: (id) => store.get(id), put: (snek) => store.put(snek), delete: (id) => store.delete(id), list: (query) => store.list(query), close: () => store.close() };
}

describe('seedPacks on a store with a seed ledger', () => {
  it('adds what is missing, then never brings back a deleted snek nor overwrites an edited one', async () => {
    const store = new MemorySnekStore();
    const packs = [pack('a', ['a1', 'a2']), pack('b', ['b1'])];
    expect(await seedPacks(store, packs)).toEqual({ rule: 'ledger', packs: [expect.objectContaining({ name: 'a', sneks: 2, added: 2 }), expect.objectContaining({ name: 'b', sneks: 1, added: 1 })] });
    await store.delete('a1');
    await store.put({ id: 'a2', name: 'mine', type: 'a', content: 'edited\n' });
    expect((await seedPacks(store, packs)).packs.map((p) => p.added)).toEqual([0, 0]);
    expect(await ids(store)).toEqual(['a2', 'b1']);
    expect((await store.get('a2'))?.content).toBe('edited\n');
  });

  it('adds a pack named later, and leaves alone a snek someone made under a pack id first', async () => {
    const store = new MemorySnekStore();
    await seedPacks(store, [pack('a', ['a1'])]);
    await store.put({ id: 'b1', name: 'theirs', type: 'x', content: 'theirs\n' });
    expect((await seedPacks(store, [pack('a', ['a1']), pack('b', ['b1', 'b2'])])).packs.map((p) => p.added)).toEqual([0, 1]);
    expect((await store.get('b1'))?.content).toBe('theirs\n');
    expect(await store.seeded(['a1', 'b1', 'b2'])).toEqual(['a1', 'b1', 'b2']);
  });
});

describe('seedPacks on a store without a seed ledger: seeded only while empty', () => {
  it('seeds an empty store; once it holds anything, adds nothing, so deletes stay deleted', async () => {
    const store = withoutLedger(new MemorySnekStore());
    const packs = [pack('a', ['a1', 'a2'])];
    expect(await seedPacks(store, packs)).toEqual({ rule: 'empty-store', packs: [expect.objectContaining({ added: 2 })] });
    await store.delete('a1');
    expect((await seedPacks(store, [...packs, pack('b', ['b1'])])).packs.map((p) => p.added)).toEqual([0, 0]);
    expect(await ids(store)).toEqual(['a2']);
  });

  it('seeds again once every snek is gone: an empty store cannot tell a first start from a cleared one', async () => {
    const store = withoutLedger(new MemorySnekStore());
    await seedPacks(store, [pack('a', ['a1'])]);
    await store.delete('a1');
    expect((await seedPacks(store, [pack('a', ['a1'])])).packs[0]!.added).toBe(1);
  });
});

describe('applyPack (snek-server import --pack)', () => {
  it('brings back deleted sneks, keeps edited ones unless told to overwrite, and records them all', async () => {
    const store = new MemorySnekStore();
    const a = pack('a', ['a1', 'a2']);
    await seedPacks(store, [a]);
    await store.delete('a1');
    await store.put({ id: 'a2', name: 'mine', type: 'a', content: 'edited\n' });
    expect(await applyPack(store, a)).toEqual({ added: ['a1'], replaced: [], kept: ['a2'] });
    expect((await store.get('a2'))?.content).toBe('edited\n');
    expect(await applyPack(store, a, { overwrite: true })).toEqual({ added: [], replaced: ['a1', 'a2'], kept: [] });
    expect((await store.get('a2'))?.content).toBe('a2\n');
  });
});
