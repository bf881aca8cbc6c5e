import { describe, expect, it } from '@jest/globals';
import { SnekError } from '../src/errors.js';
import { decodeSearchCursor, decodeSortCursor, encodeSearchCursor, encodeSortCursor } from '../src/page-cursor.js';
import { encodeCursor } from '../src/cursor.js';

const invalid = (call: () => unknown, pattern: RegExp) => {
  try {
    call();
  } catch (error) {
    expect(SnekError.hasCode(error, 'SNEK_INVALID')).toBe(true);
    expect(String((error as Error).message)).toMatch(pattern);
    return;
  }
  throw new Error('it did not throw');
};

describe('sorted cursors', () => {
  it('round-trip their sort, direction, position and offset', () => {
    const cursor = { sort: 'name', direction: 'before', position: { key: 'snek 0012 🐍', id: 'snek-2' }, offset: 48 } as const;
    expect(decodeSortCursor(encodeSortCursor(cursor), 'name')).toEqual(cursor);
    const updated = { sort: 'updated', direction: 'after', position: { key: 1234, id: 'a' }, offset: 0 } as const;
    expect(decodeSortCursor(encodeSortCursor(updated), 'updated')).toEqual(updated);
  });

  it('refuse another sort, a search cursor, and anything malformed', () => {
    const byName = encodeSortCursor({ sort: 'name', direction: 'after', position: { key: 'x', id: 'x' }, offset: 3 });
    invalid(() => decodeSortCursor(byName, 'updated'), /sort=name/);
    invalid(() => decodeSortCursor(encodeSearchCursor('x', undefined, { direction: 'after', rank: { tier: 1, score: 1, key: 'x', id: 'x' }, offset: 1 }), 'name'), /search/);
    invalid(() => decodeSortCursor(encodeSortCursor({ sort: 'updated', direction: 'after', position: { key: 'x', id: 'x' }, offset: 0 }), 'updated'), /change number/);
    invalid(() => decodeSortCursor(encodeSortCursor({ sort: 'id', direction: 'after', position: { key: 'Not A Slug', id: 'x' }, offset: 0 }), 'id'), /sort key/);
    invalid(() => decodeSortCursor(encodeSortCursor({ sort: 'name', direction: 'after', position: { key: 'x', id: '../etc' }, offset: 0 }), 'name'), /id/);
    invalid(() => decodeSortCursor(encodeSortCursor({ sort: 'name', direction: 'after', position: { key: 'x', id: 'x' }, offset: -1 }), 'name'), /offset/);
    invalid(() => decodeSortCursor(encodeSortCursor({ sort: 'name', direction: 'after', position: { key: 'x\u0000', id: 'x' }, offset: 0 }), 'name'), /sort key/);
    const huge = encodeSortCursor({ sort: 'name', direction: 'after', position: { key: 'x', id: 'x' }, offset: Number.MAX_SAFE_INTEGER });
    expect(decodeSortCursor(huge, 'name').offset).toBe(1_000_000_000);
    invalid(() => decodeSortCursor('!!!', 'name'), /base64url/);
    invalid(() => decodeSortCursor('x'.repeat(3000), 'name'), /base64url/);
    invalid(() => decodeSortCursor(Buffer.from('[1,2]').toString('base64url'), 'name'), /issues/);
    invalid(() => decodeSortCursor(Buffer.from('{"s":"name"').toString('base64url'), 'name'), /issues/);
    invalid(() => decodeSortCursor(encodeCursor('abc'), 'name'), /issues/);
  });
});

describe('search cursors', () => {
  const rank = { tier: 4, score: 0.42857142857142855, key: 'snek 0017', id: 'snek-7' } as const;

  it('round-trip, bound to the text and type that made them', () => {
    const text = encodeSearchCursor('snek', 'cute', { direction: 'after', rank, offset: 20 });
    expect(decodeSearchCursor(text, 'snek', 'cute')).toEqual({ direction: 'after', rank, offset: 20 });
    const back = encodeSearchCursor('snek', undefined, { direction: 'before', rank });
    expect(decodeSearchCursor(back, 'snek', undefined)).toEqual({ direction: 'before', rank, offset: undefined });
    invalid(() => decodeSearchCursor(text, 'snak', 'cute'), /another search/);
    invalid(() => decodeSearchCursor(text, 'snek', undefined), /another search/);
  });

  it('refuse a sorted cursor and an impossible rank', () => {
    invalid(() => decodeSearchCursor(encodeSortCursor({ sort: 'id', direction: 'after', position: { key: 'a', id: 'a' }, offset: 0 }), 'q', undefined), /sort=id/);
    invalid(() => decodeSearchCursor(encodeSearchCursor('q', undefined, { direction: 'after', rank: { ...rank, tier: 7 as 4 }, offset: 0 }), 'q', undefined), /rank/);
    invalid(() => decodeSearchCursor(encodeSearchCursor('q', undefined, { direction: 'after', rank: { ...rank, score: 2 }, offset: 0 }), 'q', undefined), /score/);
  });
});
