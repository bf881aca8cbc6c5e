import { createHash } from 'node:crypto';
import { SNEK_SORTS, type SnekSort, type SortPosition } from './contract.js';
import { SnekError } from './errors.js';
import type { SearchRank, SearchTier } from './search.js';
import { SLUG_PATTERN } from './snek.js';

// Sorted and search cursors: base64url of a small JSON object that carries the sort key of the snek it points
// next to, and the offset of the page it opens (for "49–96 of 1,204"). Like the id cursor, it grants nothing a
// request could not get, so it is not signed; it is checked field by field, and refused for another sort or search.
const MAX_CURSOR_LENGTH = 2000;
const MAX_KEY_LENGTH = 1000;
/** Offsets are for display; a store of more sneks than this shows offsets capped at it. */
export const MAX_OFFSET = 1_000_000_000;

/** Which way a sorted cursor reads: the page after its position, or the page before it. */
export type CursorDirection = 'after' | 'before';

export interface SortCursor {
  sort: SnekSort;
  direction: CursorDirection;
  position: SortPosition;
  /** Index of the first snek of the page the cursor opens (0-based), when known; for display, not for reading. */
  offset?: number | undefined;
}

/** A search cursor: the results after `rank`, or the page just before it. */
export interface SearchCursor {
  direction: CursorDirection;
  rank: SearchRank;
  offset?: number | undefined;
}

export function encodeSortCursor(cursor: SortCursor): string {
  const { sort, direction, position, offset } = cursor;
  return encode({ s: sort, d: direction === 'after' ? 'a' : 'b', k: position.key, i: position.id, ...offsetField(offset) });
}

/** The sorted cursor in `text`, which must be one {@link encodeSortCursor} made for `sort`; else `SNEK_INVALID`. */
export function decodeSortCursor(text: string, sort: SnekSort): SortCursor {
  const fields = decode(text);
  const { s, d, k, i, o } = fields;
  if (s === 'q') invalid(text, 'it belongs to a search (q=), not to a sorted list');
  if (typeof s !== 'string' || !(SNEK_SORTS as readonly string[]).includes(s)) invalid(text, 'it names no sort');
  if (s !== sort) invalid(text, `it is for sort=${s}, and this request sorts by ${sort}`);
  if (d !== 'a' && d !== 'b') invalid(text, 'it has no direction');
  const key = sort === 'updated' ? checkSeq(text, k) : checkKey(text, k, sort === 'id');
  return { sort, direction: d === 'a' ? 'after' : 'before', position: { key, id: checkId(text, i) }, offset: checkOffset(text, o) };
}

/** A search cursor, bound to this search's text and type. */
export function encodeSearchCursor(q: string, type: string | undefined, cursor: SearchCursor): string {
  const { tier, score, key, id } = cursor.rank;
  return encode({ s: 'q', h: searchHash(q, type), d: cursor.direction === 'after' ? 'a' : 'b', t: tier, c: score, k: key, i: id, ...offsetField(cursor.offset) });
}

const offsetField = (offset: number | undefined) => (offset === undefined ? {} : { o: Math.min(offset, MAX_OFFSET) });

/** The search cursor in `text`, which must be one {@link encodeSearchCursor} made for the same text and type. */
export function decodeSearchCursor(text: string, q: string, type: string | undefined): SearchCursor {
  const { s, h, d, t, c, k, i, o } = decode(text);
  if (s !== 'q') invalid(text, typeof s === 'string' ? `it is for sort=${s}, not for a search (q=)` : 'it names no search');
  if (h !== searchHash(q, type)) invalid(text, 'it belongs to another search: a cursor pages only the search (q and type) that gave it');
  if (d !== 'a' && d !== 'b') invalid(text, 'it has no direction');
  if (t !== 0 && t !== 1 && t !== 2 && t !== 3 && t !== 4) invalid(text, 'its rank is not one of 0–4');
  if (typeof c !== 'number' || !(c >= 0 && c <= 1)) invalid(text, 'its score is not between 0 and 1');
  return { direction: d === 'a' ? 'after' : 'before', rank: { tier: t as SearchTier, score: c, key: checkKey(text, k, false), id: checkId(text, i) }, offset: checkOffset(text, o) };
}

function searchHash(q: string, type: string | undefined): string {
  return createHash('sha256').update(JSON.stringify([q, type ?? null])).digest('base64url').slice(0, 12);
}

function encode(fields: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
}

function decode(text: string): Record<string, unknown> {
  if (text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) invalid(text, 'it is not base64url of the right size');
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    invalid(text, 'it is not one this server issues');
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) invalid(text, 'it is not one this server issues');
  return fields as Record<string, unknown>;
}

function checkKey(text: string, key: unknown, slug: boolean): string {
  // Control characters (NUL above all, which PostgreSQL refuses in text) and lone surrogates are in no key we make.
  if (typeof key !== 'string' || key.length > MAX_KEY_LENGTH || /[\p{Cs}\p{Cc}]/u.test(key) || (slug && !SLUG_PATTERN.test(key))) invalid(text, 'its sort key is malformed');
  return key;
}

function checkSeq(text: string, key: unknown): number {
  if (!Number.isSafeInteger(key) || (key as number) < 0) invalid(text, 'its sort key is not a change number');
  return key as number;
}

function checkId(text: string, id: unknown): string {
  if (typeof id !== 'string' || !SLUG_PATTERN.test(id)) invalid(text, 'it names no snek id');
  return id;
}

function checkOffset(text: string, offset: unknown): number | undefined {
  if (offset === undefined) return undefined;
  if (!Number.isSafeInteger(offset) || (offset as number) < 0 || (offset as number) > MAX_OFFSET) invalid(text, `its offset is not a whole number up to ${MAX_OFFSET}`);
  return offset as number;
}

function invalid(text: string, why: string): never {
  throw new SnekError('SNEK_INVALID', `The cursor "${text.slice(0, 40)}" cannot be used: ${why}. Pass back the nextCursor or prevCursor of the page before unchanged, or leave cursor out to start again.`, { details: { field: 'cursor' } });
}
