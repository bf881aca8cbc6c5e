import { SnekError } from './errors.js';
import { SLUG_PATTERN } from './snek.js';

// An "after this id" cursor: base64url of "a:" and a slug id, nothing more. It grants nothing that a list
// request could not get anyway, so it is not signed: one made by hand for a slug is as good as ours, and
// replicas need no shared key to page across each other. What is checked is that it is exactly that shape.
const PREFIX = 'a:';

/** A cursor that means "the sneks after `lastId`". */
export function encodeCursor(lastId: string): string {
  return Buffer.from(PREFIX + lastId, 'utf8').toString('base64url');
}

/**
 * The id a cursor points after. Throws `SNEK_INVALID` unless the cursor is exactly what
 * {@link encodeCursor} gives for a slug id: base64url without padding, of "a:" and the slug.
 */
export function decodeCursor(cursor: string): string {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const id = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : '';
  // Re-encoding catches stray low bits and bytes that are not UTF-8, which decode to the same text.
  if (!SLUG_PATTERN.test(id) || encodeCursor(id) !== cursor) {
    throw new SnekError('SNEK_INVALID', `The cursor "${cursor.slice(0, 40)}" is not one this server issues: a cursor is the base64url of "a:" and a snek id. Pass back the nextCursor of the previous page unchanged, or leave cursor out to start again.`, { details: { field: 'cursor' } });
  }
  return id;
}
