import { SnekError } from './errors.js';

// An "after this id" cursor. base64url keeps it opaque and URL-safe; the prefix catches tampering.
const PREFIX = 'a:';

/** A cursor that means "the sneks after `lastId`". */
export function encodeCursor(lastId: string): string {
  return Buffer.from(PREFIX + lastId, 'utf8').toString('base64url');
}

/** The id a cursor from {@link encodeCursor} points after. Throws `SNEK_INVALID` for anything else. */
export function decodeCursor(cursor: string): string {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!text.startsWith(PREFIX) || text.length === PREFIX.length) {
    throw new SnekError('SNEK_INVALID', `The cursor "${cursor.slice(0, 40)}" is not one this server issued. Pass back the nextCursor of the previous page unchanged, or leave cursor out to start again.`, { details: { field: 'cursor' } });
  }
  return text.slice(PREFIX.length);
}
