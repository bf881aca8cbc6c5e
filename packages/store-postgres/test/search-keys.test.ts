import { describe, expect, it } from '@jest/globals';
import { foldCase, naturalKey, prefixEnd } from '@snek/core';
import { containsPattern } from '../src/sampled-statements.js';
import { keyPrefix } from '../src/search-tiers.js';

const NAMES = ['Snek 10', 'Snek 007 b', 'snek 2a', 'Straße 12 x 3', '100%', 'a_b', '🐍 9', '12', '0', 'x9y99z999', 'ΣΊΣΥΦΟΣ 1'];

describe('the keys search reads ranges of', () => {
  it('every prefix of the folded name has a keyPrefix its key starts with', () => {
    for (const name of NAMES) {
      const folded = foldCase(name);
      for (const prefix of Array.from({ length: Array.from(folded).length }, (_, i) => Array.from(folded).slice(0, i + 1).join(''))) {
        expect({ name, prefix, starts: naturalKey(name).startsWith(keyPrefix(prefix)) }).toEqual({ name, prefix, starts: true });
      }
    }
  });

  it('prefixEnd is above every string with the prefix and below the next one; containsPattern escapes LIKE', () => {
    expect(prefixEnd('snek')).toBe('snel');
    expect(prefixEnd('a\u{d7ff}')).toBe('a\u{e000}');
    expect(prefixEnd('a\u{10ffff}')).toBe('b');
    expect(prefixEnd('\u{10ffff}')).toBeUndefined();
    expect(containsPattern('100%_\\x')).toBe('%100\\%\\_\\\\x%');
  });
});
