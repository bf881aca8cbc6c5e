import { describe, expect, it } from '@jest/globals';
import { SnekIndex, type SnekIndexEntry } from '../src/index.js';

const ids = (index: SnekIndex, query: Parameters<SnekIndex['page']>[0]) => index.page(query).entries.map((entry) => entry.id);

describe('SnekIndex buckets', () => {
  it('keeps a name bucket right as it grows from one id to many and back to none', () => {
    const index = new SnekIndex();
    index.set({ id: 'b', name: 'Sam', type: 't' });
    expect(ids(index, { name: 'Sam' })).toEqual(['b']);
    index.set({ id: 'a', name: 'Sam', type: 't' });
    index.set({ id: 'c', name: 'Sam', type: 'u' });
    expect(ids(index, { name: 'Sam' })).toEqual(['a', 'b', 'c']);
    expect(ids(index, { name: 'Sam', type: 'u' })).toEqual(['c']);
    index.delete('a');
    index.delete('c');
    expect(ids(index, { name: 'Sam' })).toEqual(['b']);
    index.delete('b');
    expect(ids(index, { name: 'Sam' })).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('moves an entry between buckets when its name or type changes, and keeps the entry it was given', () => {
    const index = new SnekIndex<SnekIndexEntry & { content: string }>();
    index.set({ id: 'a', name: 'Old', type: 't', content: '1' });
    index.set({ id: 'b', name: 'Old', type: 't', content: '2' });
    const moved = { id: 'a', name: 'New', type: 'u', content: '3' };
    expect(index.set(moved)).toBe(false);
    expect(index.get('a')).toBe(moved);
    expect(ids(index, { name: 'Old' })).toEqual(['b']);
    expect(ids(index, { name: 'New' })).toEqual(['a']);
    expect(ids(index, { type: 't' })).toEqual(['b']);
    expect(ids(index, { type: 'u', name: 'New' })).toEqual(['a']);
    // Re-setting an id under the same single-id bucket keeps it there once.
    index.set({ ...moved });
    expect(ids(index, { name: 'New' })).toEqual(['a']);
  });

  it('pages a bucket by cursor', () => {
    const index = new SnekIndex();
    for (const id of ['d', 'a', 'c', 'b']) index.set({ id, name: 'Same', type: 't' });
    const first = index.page({ name: 'Same', limit: 3 });
    expect(first.entries.map((entry) => entry.id)).toEqual(['a', 'b', 'c']);
    expect(ids(index, { name: 'Same', limit: 3, cursor: first.nextCursor! })).toEqual(['d']);
  });
});
