import { describe, expect, it } from '@jest/globals';
import { SnekError, decodeCursor, encodeCursor } from '../src/index.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return SnekError.is(error) ? error.code : 'not a SnekError';
  }
  return undefined;
}

describe('cursor', () => {
  it('decodeCursor(encodeCursor(id)) gives the id back', () => {
    for (const id of ['a', 'cute', 'z'.repeat(64), 'a.b_c-d']) expect(decodeCursor(encodeCursor(id))).toBe(id);
  });

  // A cursor means only "after this id" and grants nothing, so one made by hand for a slug is as good as ours.
  it.each(['anything', 'zzz', '0'])('accepts a cursor made by hand for the slug %p', (id) => {
    expect(decodeCursor(b64(`a:${id}`))).toBe(id);
  });

  it.each(['', 'garbage!', 'bm90LWEtY3Vyc29y', '%%%', 'x'.repeat(500), encodeCursor('a').slice(0, -2)])('rejects the tampered cursor %p with SNEK_INVALID', (cursor) => {
    expect(codeOf(() => decodeCursor(cursor))).toBe('SNEK_INVALID');
  });

  it.each([
    ['an upper-case id', b64('a:Anything')],
    ['a space', b64('a:any thing')],
    ['a path', b64('a:../../etc/passwd')],
    ['a NUL', b64('a:a\u0000b')],
    ['an id of 65 characters', b64(`a:${'z'.repeat(65)}`)],
    ['an id ending in "-"', b64('a:cute-')],
    ['a prefix other than "a:"', b64('b:cute')],
    ['"a:" and no id', b64('a:')],
    ['bytes that are not UTF-8', Buffer.from([0x61, 0x3a, 0xff, 0x61]).toString('base64url')],
    ['a non-canonical spelling of a:bc (stray low bits)', `${b64('a:bc').slice(0, -1)}x`],
    ['padding', `${b64('a:b')}=`],
  ])('rejects a cursor with %s in place of "a:" and a slug id, with SNEK_INVALID', (_what, cursor) => {
    expect(codeOf(() => decodeCursor(cursor))).toBe('SNEK_INVALID');
  });
});
