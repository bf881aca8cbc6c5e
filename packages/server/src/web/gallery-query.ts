import type { Request } from 'express';
import { SnekError, type SnekSort } from '@snek/core';
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

/**
 * The gallery's query, checked by the API's own validation once the form's ways are undone: its empty fields
 * dropped, the search text trimmed (a box of spaces is no search), and a search winning over the sort and name
 * fields that the same form sends beside it. `deleted=1` is the editor's redirect after a delete, which the page
 * says in fixed words; `part=results` asks for the results alone.
 */
export function parseGalleryQuery(req: Request): GalleryQuery {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(req.query)) {
    const given = key === 'q' && typeof value === 'string' ? value.trim() : value;
    if (given !== '' && !(key === 'deleted' && value === '1') && key !== 'part') fields[key] = given;
  }
  const part = req.query['part'];
  if (part !== undefined && part !== 'results') throw new SnekError('SNEK_INVALID', 'Invalid query: part must be "results" (the results alone), or left out for the whole page.');
  if (fields['q'] !== undefined) delete fields['name'];
  if (fields['q'] !== undefined || fields['name'] !== undefined) delete fields['sort'];
  const find = parseListParams({ limit: String(GALLERY_PAGE_SIZE), ...fields });
  const { q, name, type, cursor, limit } = find;
  return { find, q, name, type, sort: find.sort ?? 'id', limit: limit === GALLERY_PAGE_SIZE ? undefined : limit, cursor, resultsOnly: part === 'results' };
}
