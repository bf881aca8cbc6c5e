import { describe, expect, it } from '@jest/globals';
import { SNEK_SORTS, SnekIndex, SortedRun, compareKeys, compareSortPositions, containedGrams, foldCase, foldedTrigrams, naturalKey, naturalKeyOfFolded, prepareSearch, rankSneks, sortPosition, startPrefixes, trigrams, type SearchRank, type SnekIndexEntry, type SnekSort, type SortPosition } from '../src/index.js';

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

// A small random generator with a seed, so that a failure can be replayed.
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const WORDS = ['Snek', 'snek', 'Nagini', 'number', 'numbr', 'Cute', 'Straße', 'STRASSE', 'ΣΊΣΥΦΟΣ', '100%', 'a_b', '2', '10', '007', '0', '🐍', '日本語', 'x'];
const TYPES = ['cute', 'fancy', 'plain', 'number-7'];

function randomEntry(next: () => number, id: string): SnekIndexEntry {
  const pick = <T>(from: readonly T[]) => from[Math.floor(next() * from.length)]!;
  return { id, name: Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(WORDS)).join(' '), type: pick(TYPES) };
}

/** An index and a plain map of the same entries, after random puts, renames and deletes. */
function randomIndex(seed: number, count: number, writes: number, seqs = new Map<string, number>()): { index: SnekIndex; plain: Map<string, SnekIndexEntry>; seqs: Map<string, number>; next: () => number } {
  const next = random(seed);
  const index = new SnekIndex();
  const plain = new Map<string, SnekIndexEntry>();
  let seq = 0;
  for (let i = 0; i < writes; i++) {
    const id = `r${Math.floor(next() * count)}-${['a', 'snek', 'cute'][i % 3]}`;
    if (next() < 0.2 && plain.has(id)) {
      index.delete(id);
      plain.delete(id);
    } else {
      const entry = randomEntry(next, id);
      index.set(entry, ++seq);
      plain.set(id, entry);
      seqs.set(id, seq);
    }
  }
  return { index, plain, seqs, next };
}

function searchAll(index: SnekIndex, q: string, type: string | undefined, limit: number) {
  const found: Array<{ id: string; rank: SearchRank }> = [];
  let after: SearchRank | undefined;
  for (;;) {
    const page = index.search({ q, limit, ...(type === undefined ? {} : { type }), ...(after ? { after } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    found.push(...page.items.map((item) => ({ id: item.entry.id, rank: item.rank })));
    if (!page.more) return found;
    after = page.items.at(-1)!.rank;
  }
}

const reference = (plain: Map<string, SnekIndexEntry>, q: string, type?: string) => rankSneks(plain.values(), prepareSearch(q), { type }).map(({ snek, rank }) => ({ id: snek.id, rank }));

const QUERIES = ['snek', 'SNEK', 'snek number', 'numbr', 'nagni', 'strasse', 'straße', 'σίσυφος', '100%', '%', '_', 'a_b', '2', '1', '10', '00', '007', '7', 'cute', 'number-7', '🐍', '日本', 'x', 'zzzz', 'snek 1', 'snek 0', 'cute snek', 'r1', '-a'];

describe('SnekIndex search', () => {
  it('equals rankSneks on random entries after puts, renames and deletes, page by page, with and without a type', () => {
    const { index, plain } = randomIndex(20261201, 150, 600);
    for (const q of QUERIES) {
      expect(searchAll(index, q, undefined, 7)).toEqual(reference(plain, q));
      expect(searchAll(index, q, 'cute', 5)).toEqual(reference(plain, q, 'cute'));
    }
  });

  it('follows writes made after its first search, through the sweep of retired slots', () => {
    const { index, plain, next } = randomIndex(7, 300, 300);
    expect(searchAll(index, 'snek', undefined, 50)).toEqual(reference(plain, 'snek'));
    // Enough renames and deletes to retire more slots than live ones, so the postings are swept.
    for (let i = 0; i < 3000; i++) {
      const id = `r${Math.floor(next() * 300)}-w`;
      if (next() < 0.3) {
        index.delete(id);
        plain.delete(id);
      } else {
        const entry = randomEntry(next, id);
        index.set(entry);
        plain.set(id, entry);
      }
    }
    for (const q of QUERIES) expect(searchAll(index, q, undefined, 11)).toEqual(reference(plain, q));
  });

  it('reads a dense tier in name order: 5,000 names that each start with or contain the text', () => {
    const index = new SnekIndex();
    const plain = new Map<string, SnekIndexEntry>();
    for (let i = 0; i < 5000; i++) {
      const entry = { id: `s${i}`, name: i % 2 ? `Snek number ${i}` : `My snek ${i}`, type: i % 7 ? 'plain' : 'cute' };
      index.set(entry);
      plain.set(entry.id, entry);
    }
    for (const q of ['snek', 'number', 'snek 1', 'nek number 4', 'snek numbr', '12', 'my', 'lai', 'plain']) {
      const expected = reference(plain, q);
      const first = index.search({ q, limit: 500 });
      expect(first.items.map((item) => item.entry.id)).toEqual(expected.slice(0, 500).map((found) => found.id));
      expect(first.more).toBe(expected.length > 500);
      const after = expected[1234];
      if (after) expect(index.search({ q, limit: 20, after: after.rank }).items.map((item) => item.entry.id)).toEqual(expected.slice(1235, 1255).map((found) => found.id));
      expect(searchAll(index, q, 'cute', 100)).toEqual(reference(plain, q, 'cute'));
    }
  });
  it('reads a large group of near misses of one score in name order, with and without a type', () => {
    const index = new SnekIndex();
    const plain = new Map<string, SnekIndexEntry>();
    for (let i = 0; i < 9000; i++) {
      const entry = { id: `n${(i * 7) % 9000}`, name: `Snek number ${1000 + i}`, type: i % 2 ? 'plain' : 'cute' };
      index.set(entry);
      plain.set(entry.id, entry);
    }
    for (const type of [undefined, 'cute']) {
      const expected = reference(plain, 'snek numbr', type);
      expect(expected.length).toBeGreaterThan(4096);
      expect(index.search({ q: 'snek numbr', limit: 50, ...(type ? { type } : {}) }).items.map((item) => item.rank)).toEqual(expected.slice(0, 50).map((found) => found.rank));
      const page = index.search({ q: 'snek numbr', limit: 50, after: expected[3000]!.rank, ...(type ? { type } : {}) });
      expect(page.items.map((item) => item.entry.id)).toEqual(expected.slice(3001, 3051).map((found) => found.id));
    }
  });
});

describe('SnekIndex browse', () => {
  const browseAll = (index: SnekIndex, sort: SnekSort, type: string | undefined, limit: number) => {
    const found: Array<{ id: string; position: SortPosition }> = [];
    let after: SortPosition | undefined;
    for (;;) {
      const page = index.browse({ sort, limit, ...(type === undefined ? {} : { type }), ...(after ? { after } : {}) });
      found.push(...page.items.map((item) => ({ id: item.entry.id, position: item.position })));
      if (!page.more) return found;
      after = page.items.at(-1)!.position;
    }
  };
  const browseBack = (index: SnekIndex, sort: SnekSort, type: string | undefined, limit: number) => {
    const pages: string[][] = [];
    let before: SortPosition | undefined = { key: sort === 'updated' ? -1 : '\u{10ffff}', id: '\u{10ffff}' };
    while (before) {
      const page = index.browse({ sort, limit, before, ...(type === undefined ? {} : { type }) });
      pages.unshift(page.items.map((item) => item.entry.id));
      before = page.more ? page.items[0]!.position : undefined;
    }
    return pages.flat();
  };

  it.each([
    ['a few hundred entries (small types are sorted)', 150, 600],
    ['thousands (large types are read along the order)', 9000, 14000],
  ])('equals compareSortPositions for every sort, both ways, with and without a type: %s', (_, count, writes) => {
    const { index, plain, seqs } = randomIndex(99, count, writes);
    // The orders are built now, then kept through more writes.
    index.browse({ sort: 'name', limit: 1 });
    index.browse({ sort: 'updated', limit: 1 });
    index.browse({ sort: 'id', limit: 1 });
    let seq = writes;
    for (const id of [...plain.keys()].slice(0, 50)) {
      const entry = { ...plain.get(id)!, name: `Renamed ${id}` };
      index.set(entry, ++seq);
      plain.set(id, entry);
      seqs.set(id, seq);
    }
    for (const id of [...plain.keys()].slice(50, 70)) {
      index.delete(id);
      plain.delete(id);
    }
    for (const sort of SNEK_SORTS) {
      for (const type of [undefined, 'cute']) {
        const expected = [...plain.values()]
          .filter((entry) => type === undefined || entry.type === type)
          .map((entry) => ({ id: entry.id, position: sortPosition(sort, entry, seqs.get(entry.id)) }))
          .sort((a, b) => compareSortPositions(sort, a.position, b.position));
        expect(browseAll(index, sort, type, 37)).toEqual(expected);
        expect(browseBack(index, sort, type, 41)).toEqual(expected.map((found) => found.id));
      }
    }
  });
});

describe('SnekIndex countTypes', () => {
  it('follows puts that change a type, and deletes', () => {
    const { index, plain } = randomIndex(5, 200, 800);
    const counts = new Map<string, number>();
    for (const entry of plain.values()) counts.set(entry.type, (counts.get(entry.type) ?? 0) + 1);
    expect(index.countTypes()).toEqual([...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([type, count]) => ({ type, count })));
  });
});

describe('search keys', () => {
  it('naturalKeyOfFolded(foldCase(x)) is naturalKey(x)', () => {
    const next = random(3);
    for (let i = 0; i < 500; i++) {
      const name = randomEntry(next, 'x').name + (i % 3 ? ` 0${i}` : '');
      expect(naturalKeyOfFolded(foldCase(name))).toBe(naturalKey(name));
    }
  });

  it('foldedTrigrams is trigrams, for ASCII and other text', () => {
    const next = random(17);
    const chars = 'aZ09 -_%.\'"\\~\tß日🐍é';
    for (let i = 0; i < 2000; i++) {
      const text = foldCase(Array.from({ length: Math.floor(next() * 30) }, () => Array.from(chars)[Math.floor(next() * Array.from(chars).length)]).join(''));
      const ascii = text.replace(/[^\x00-\x7f]/g, 'x');
      expect(foldedTrigrams(text)).toEqual(trigrams(text));
      expect(foldedTrigrams(ascii)).toEqual(trigrams(ascii));
    }
  });

  it('startPrefixes covers every name that starts with the text, in key order', () => {
    const names = ['Snek 1', 'Snek 12', 'snek 1x', 'Snek 0012', 'Snek 007', 'Snek 0070', 'snek 10 b', 'Snek', 'Snek 2'];
    for (const q of ['snek 1', 'snek 00', 'snek 007', 'snek 0', 'snek', 'snek 1 ']) {
      const prefixes = startPrefixes(q);
      expect([...prefixes].sort(compareKeys)).toEqual(prefixes);
      for (const name of names) if (foldCase(name).startsWith(q)) expect(prefixes.some((prefix) => naturalKey(name).startsWith(prefix))).toBe(true);
    }
  });

  it('containedGrams are trigrams of every text that contains the query', () => {
    const cases: Array<[string, string]> = [['nek num', 'my snek number'], ['ber 1', 'number 12'], [' 12 ', 'a 12 b'], ['straße', 'die straße']];
    for (const [q, text] of cases) {
      const grams = trigrams(text);
      for (const gram of containedGrams(q)) expect(grams.has(gram)).toBe(true);
    }
    expect(containedGrams('ab').size).toBe(0);
  });
});

describe('SortedRun', () => {
  it('keeps random inserts and removes in order, and reads both ways from any position', () => {
    const next = random(11);
    const run = new SortedRun((a, b) => (a % 1000) - (b % 1000) || a - b);
    const plain = new Set<number>();
    for (let i = 0; i < 20000; i++) {
      const value = Math.floor(next() * 8000);
      if (plain.has(value)) {
        expect(run.remove(value)).toBe(true);
        plain.delete(value);
      } else {
        run.add(value);
        plain.add(value);
      }
    }
    const expected = [...plain].sort((a, b) => (a % 1000) - (b % 1000) || a - b);
    const forward: number[] = [];
    run.forward({ chunk: 0, at: 0 }, (value) => (forward.push(value), true));
    expect(forward).toEqual(expected);
    expect(run.size).toBe(expected.length);
    const middle = expected[Math.floor(expected.length / 2)]!;
    const at = run.seek((value) => (value % 1000) - (middle % 1000) >= 0 && ((value % 1000) - (middle % 1000) > 0 || value >= middle));
    const backward: number[] = [];
    run.backward(at, (value) => (backward.push(value), true));
    expect(backward.reverse()).toEqual(expected.slice(0, Math.floor(expected.length / 2)));
    expect(run.remove(-1)).toBe(false);
  });
});
