import { describe, expect, it } from '@jest/globals';
import { SnekError, decodeCursor, encodeCursor } from '../src/index.js';

describe('cursor', () => {
  it('decodeCursor(encodeCursor(id)) gives the id back', () => {
    for (const id of ['a', 'cute', 'z'.repeat(64), 'a.b_c-d']) expect(decodeCursor(encodeCursor(id))).toBe(id);
  });

  it.each(['', 'garbage!', 'bm90LWEtY3Vyc29y', '%%%', 'x'.repeat(500), encodeCursor('a').slice(0, -2)])('rejects the tampered cursor %p with SNEK_INVALID', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(SnekError);
    try {
      decodeCursor(cursor);
    } catch (error) {
      expect((error as SnekError).code).toBe('SNEK_INVALID');
    }
  });
});
