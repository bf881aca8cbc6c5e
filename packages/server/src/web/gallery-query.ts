import type { Request } from 'express';
import { z } from 'zod';
import { MAX_SEARCH_LENGTH, SNEK_SORTS, SnekError, formatIssues, type SnekSort } from '@snek/core';
import type { FindQuery } from '../find-sneks.js';
import { parseListParams } from '../validation.js';

/** Sneks per gallery page: a few screens of cards, never the whole store. */
export const GALLERY_PAGE_SIZE = 48;

/** What the gallery's URL asks for, validated: a FindQuery, and how the page was asked. */
export interface GalleryQuery {
  find: FindQuery;
  q: string | undefined;
  name: string | undefined;
  type: string | undefined;
  sort: SnekSort;
  /** The limit when it is not {@link GALLERY_PAGE_SIZE}, for links that keep it. */
  limit: number | undefined;
  cursor: string | undefined;
  /** `part=results`: only the results, which gallery.js swaps in as you type. */
  resultsOnly: boolean;
}

const searchSchema = z.strictObject({
  q: z.string().max(MAX_SEARCH_LENGTH, `must be at most ${MAX_SEARCH_LENGTH} characters`).optional(),
  sort: z.enum(SNEK_SORTS).optional(),
  part: z.literal('results').optional(),
});

/**
 * The gallery's query without the empty fields its form sends. `q`, `sort` and `part` are checked here, the rest
 * by the API's list validation; `deleted=1` is the editor's redirect after a delete, which the page says in fixed words.
 */
export function parseGalleryQuery(req: Request): GalleryQuery {
  const given = Object.entries(req.query).filter(([key, value]) => value !== '' && !(key === 'deleted' && value === '1'));
  const own = new Set(['q', 'sort', 'part']);
  const parsed = searchSchema.safeParse(Object.fromEntries(given.filter(([key]) => own.has(key))));
  if (!parsed.success) throw new SnekError('SNEK_INVALID', `Invalid query: ${formatIssues(parsed.error)}.`);
  const list = parseListParams({ limit: String(GALLERY_PAGE_SIZE), ...Object.fromEntries(given.filter(([key]) => !own.has(key))) });
  // Spaces around the text would only stop it matching; a box of spaces is no search.
  const q = parsed.data.q?.trim() || undefined;
  const sort = parsed.data.sort ?? 'id';
  const { name, type, cursor } = list;
  const limit = list.limit ?? GALLERY_PAGE_SIZE;
  const find: FindQuery = q !== undefined ? { q, type, cursor, limit } : name !== undefined ? { name, type, cursor, limit } : { sort, type, cursor, limit };
  return { find, q, name: q === undefined ? name : undefined, type, sort, limit: limit === GALLERY_PAGE_SIZE ? undefined : limit, cursor, resultsOnly: parsed.data.part === 'results' };
}
