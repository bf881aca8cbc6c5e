import { describe, expect, it } from '@jest/globals';
import { compareKeys, compareRanks, foldCase, matchRanges, naturalKey, prepareSearch, rankSneks, searchRank, similarity, trigrams } from '../src/search.js';
import { compareSortPositions, sortPosition } from '../src/sort-order.js';

const snek = (id: string, name: string, type = 'plain') => ({ id, name, type });

describe('foldCase', () => {
  it('folds case beyond toLowerCase, one code point at a time', () => {
    expect(foldCase('Snek NUMBER 7')).toBe('snek number 7');
    expect(foldCase('Straße')).toBe(foldCase('STRASSE'));
    // A final sigma folds like any other: the same as σ, wherever it stands.
    expect(foldCase('ΣΊΣΥΦΟΣ')).toBe(foldCase('σίσυφοσ'));
    expect(foldCase('ς')).toBe('σ');
    expect(foldCase('🐍 Ünï')).toBe('🐍 ünï');
  });
});

describe('matchRanges', () => {
  it('maps matches of the folded text back to the original, every occurrence', () => {
    expect(matchRanges('Snek and SNEK', 'snek')).toEqual([[0, 4], [9, 13]]);
    expect(matchRanges('Große Snek', 'ss')).toEqual([[3, 4]]);
    expect(matchRanges('🐍 Snek', 'snek')).toEqual([[3, 7]]);
    expect(matchRanges('Snek', '')).toEqual([]);
    expect(matchRanges('Snek', 'x')).toEqual([]);
    // "ß" folds to "ss": both halves of it are one highlight, never two.
    expect(matchRanges('Straße', 's')).toEqual([[0, 1], [4, 5]]);
    expect(matchRanges('ßs', 's')).toEqual([[0, 1], [1, 2]]);
  });
});

describe('trigrams and similarity', () => {
  it('pads each word as pg_trgm does', () => {
    expect([...trigrams('cat')].sort()).toEqual(['  c', ' ca', 'at ', 'cat']);
    expect(trigrams('a-b').size).toBe(4);
    expect(trigrams('%%').size).toBe(0);
  });

  it('scores a typo or two as a near miss, and unrelated text as none', () => {
    expect(similarity('snek numbr 7', 'snek number 7')).toBeGreaterThan(0.6);
    expect(similarity('sneck', 'snek')).toBeGreaterThanOrEqual(0.3);
    expect(similarity('zebra', 'snek')).toBe(0);
    expect(similarity('', 'snek')).toBe(0);
  });
});

describe('naturalKey and compareKeys', () => {
  const sorted = (names: string[]) => [...names].sort((a, b) => compareKeys(naturalKey(a), naturalKey(b)) || compareKeys(a, b));

  it('sorts numbers by value: "Snek 2" before "Snek 10"', () => {
    expect(sorted(['Snek 10', 'Snek 2', 'snek 1', 'Snek 100', 'Snek 9'])).toEqual(['snek 1', 'Snek 2', 'Snek 9', 'Snek 10', 'Snek 100']);
    expect(naturalKey('Snek 007')).toBe(naturalKey('snek 7'));
    expect(compareKeys(naturalKey('a 0'), naturalKey('a 00'))).toBe(0);
    // A run of 100 digits, the longest a name holds, after one of 99.
    expect(compareKeys(naturalKey(`n${'9'.repeat(99)}`), naturalKey(`n1${'0'.repeat(99)}`))).toBeLessThan(0);
  });

  it('agrees with Intl.Collator numeric on plain ASCII names', () => {
    const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
    const names = ['x 12 b', 'x 2 b', 'x 12 a', 'x 1', 'x 11', 'x 2', 'y', 'x'];
    const byCollator = [...names].sort((a, b) => collator.compare(a, b));
    expect(sorted(names)).toEqual(byCollator);
  });

  it('compares in code point order, as SQL byte order does for UTF-8', () => {
    const astral = '\u{1F40D}';
    const highBmp = '\uFF21';
    // `<` puts the surrogate pair first; code point order (and UTF-8 bytes) put U+FF21 first.
    expect(astral < highBmp).toBe(true);
    expect(compareKeys(highBmp, astral)).toBeLessThan(0);
    expect(Buffer.compare(Buffer.from(highBmp), Buffer.from(astral))).toBeLessThan(0);
    expect(compareKeys('ab', 'abc')).toBeLessThan(0);
    expect(compareKeys('b', 'abc')).toBeGreaterThan(0);
  });
});

describe('searchRank and rankSneks', () => {
  const sneks = [
    snek('near', 'Snek numbr 7'),
    snek('inside', 'My snek number 7'),
    snek('starts', 'Snek number 7 again'),
    snek('exact', 'SNEK NUMBER 7'),
    snek('by-id-snek-number-7', 'Something'),
    snek('other', 'Nothing alike', 'snek-number-7-type'),
    snek('unrelated', 'Zebra'),
  ];

  it('ranks exact, starts with, contains, id or type, near miss', () => {
    const ranked = rankSneks(sneks, prepareSearch('Snek Number 7'));
    expect(ranked.map((r) => r.snek.id)).toEqual(['exact', 'starts', 'inside', 'near']);
    expect(ranked.map((r) => r.rank.tier)).toEqual([0, 1, 2, 4]);
    // Ids and types, by name within the tier; then the names, which share every trigram but are no substring.
    const byId = rankSneks(sneks, prepareSearch('snek-number-7')).map((r) => [r.snek.id, r.rank.tier]);
    expect(byId.slice(0, 2)).toEqual([['other', 3], ['by-id-snek-number-7', 3]]);
    expect(byId.slice(2).every(([, tier]) => tier === 4)).toBe(true);
  });

  it('treats %, _, quotes, backslashes and regex characters as plain text', () => {
    const odd = [snek('a', '100% snek'), snek('b', 'a_b'), snek('c', 'x"y\\z'), snek('d', 'a.b*c'), snek('e', 'abc')];
    for (const [q, ids] of [['%', ['a']], ['_', ['b']], ['"y\\', ['c']], ['.b*', ['d']], ['a.b', ['d']]] as const) {
      expect(rankSneks(odd, prepareSearch(q)).filter((r) => r.rank.tier < 4).map((r) => r.snek.id)).toEqual(ids);
    }
    expect(searchRank(prepareSearch(''), odd[0]!)).toBeUndefined();
  });

  it('filters by type and continues after a rank', () => {
    const many = Array.from({ length: 12 }, (_, i) => snek(`s${i}`, `Snek ${i}`, i % 2 ? 'odd' : 'even'));
    const all = rankSneks(many, prepareSearch('snek'));
    expect(all.map((r) => r.snek.id)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11']);
    const rest = rankSneks(many, prepareSearch('snek'), { after: all[4]!.rank });
    expect(rest.map((r) => r.snek.id)).toEqual(all.slice(5).map((r) => r.snek.id));
    expect(rankSneks(many, prepareSearch('snek'), { type: 'odd' }).every((r) => r.snek.type === 'odd')).toBe(true);
    for (let i = 1; i < all.length; i++) expect(compareRanks(all[i - 1]!.rank, all[i]!.rank)).toBeLessThan(0);
  });
});

describe('sort positions', () => {
  it('orders updated newest first, ties by id', () => {
    const a = sortPosition('updated', snek('a', 'A'), 5);
    const b = sortPosition('updated', snek('b', 'B'), 9);
    const c = sortPosition('updated', snek('c', 'C'), 5);
    expect([a, b, c].sort((x, y) => compareSortPositions('updated', x, y)).map((p) => p.id)).toEqual(['b', 'a', 'c']);
    expect(sortPosition('name', snek('x', 'Snek 2')).key).toBe(naturalKey('Snek 2'));
    expect(sortPosition('id', snek('x', 'Snek 2'))).toEqual({ key: 'x', id: 'x' });
  });
});
