import type { Snek, SnekSort, TypeCount } from '@snek/core';
import { SCAN_BOUND, type FoundPage } from '../find-sneks.js';
import type { GalleryQuery } from './gallery-query.js';
import type { ShownEdit } from './last-edits.js';
import { highlightName } from './name-highlight.js';

// A card shows this many lines of its art, faded out; its page /s/:id shows the whole of it.
export const CARD_PREVIEW_LINES = 24;

const SORTS: ReadonlyArray<{ value: SnekSort; label: string }> = [
  { value: 'id', label: 'Id' },
  { value: 'name', label: 'Name' },
  { value: 'updated', label: 'Last changed' },
];

const count = new Intl.NumberFormat('en');

type HrefParams = { q?: string | undefined; name?: string | undefined; type?: string | undefined; sort?: SnekSort | undefined; limit?: number | undefined; cursor?: string | null | undefined };
const HREF_ORDER = ['q', 'name', 'type', 'sort', 'limit', 'cursor'] as const;

/** A gallery URL, its fields in one order; the default sort is left out, so that one page has one URL. */
export function galleryHref(params: HrefParams): string {
  const search = new URLSearchParams();
  for (const key of HREF_ORDER) {
    const value = params[key];
    if (value !== undefined && value !== null && !(key === 'sort' && value === 'id')) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `/?${text}` : '/';
}

/** The search form's fields, around the results. */
export function galleryForm(query: GalleryQuery) {
  const { q, name, type, sort } = query;
  return {
    // The box shows the exact name a ?name= link looked up, so that searching again starts from it.
    q: q ?? name ?? '',
    searching: q !== undefined,
    type,
    // The default sends an empty field, which the server drops, as its own links leave it out.
    sorts: SORTS.map((option) => ({ label: option.label, value: option.value === 'id' ? '' : option.value, selected: option.value === sort })),
  };
}

function galleryHeading({ q, name, type }: GalleryQuery): string {
  if (q !== undefined) return `Sneks matching “${q}”${type ? ` in type ${type}` : ''}`;
  if (name !== undefined) return `Sneks named “${name}”`;
  return type ? `Sneks of type ${type}` : 'Sneks';
}

export interface ResultsInput {
  query: GalleryQuery;
  page: FoundPage;
  types: TypeCount[];
  edits: Map<string, ShownEdit>;
  /** Where the change log stood before the page was read; undefined when the store keeps none. */
  after: number | undefined;
  /** For a search of one type that found nothing: what the same search finds in every type. */
  elsewhere: Snek[];
}

/** The results part of the page (gallery-results.eta), which gallery.js also fetches alone as you type. */
export function galleryResults({ query, page, types, edits, after, elsewhere }: ResultsInput) {
  const { q, name, type, sort, limit, cursor } = query;
  const keep = { q, name, sort: q === undefined && name === undefined ? sort : undefined, limit };
  const offset = page.offset;
  const first = page.items[0];
  const last = page.items.at(-1);
  // A last page knows its total even when the store could not count it.
  const total = page.total ?? (offset !== undefined && page.nextCursor === null ? offset + page.items.length : undefined);
  const order = q !== undefined ? 'search' : name !== undefined ? 'id' : sort;
  // Id order knows where a page starts: after its prev cursor, or for a name lookup after its own cursor.
  const startsLater = name !== undefined ? cursor !== undefined : page.prevCursor !== null;
  // Past the first page, where "previous" is missing or not the first page.
  const laterPage = cursor !== undefined && offset !== 0 && (page.prevCursor === null || (offset ?? 0) > query.find.limit);
  return {
    heading: galleryHeading(query),
    chips: [
      { label: 'All', count: types.reduce((sum, t) => sum + t.count, 0), href: galleryHref({ ...keep, name: undefined }), current: !type && name === undefined },
      ...types.map((t) => ({ label: t.type, count: t.count, href: galleryHref({ ...keep, name: undefined, type: t.type }), current: t.type === type })),
    ],
    sneks: page.items.map((snek) => ({ ...snek, nameParts: highlightName(snek.name, q), long: lineCount(snek.content) > CARD_PREVIEW_LINES, edited: edits.get(snek.id) })),
    range: first && offset !== undefined ? `${count.format(offset + 1)}–${count.format(offset + page.items.length)}${total === undefined ? '' : ` of ${count.format(total)}`}` : undefined,
    notes: [
      ...(offset === 0 && page.ranks?.[0]?.tier === 4 ? [`No name contains “${q}”: these are the nearest.`] : []),
      ...(page.scanned ? [`This store cannot ${q === undefined ? 'sort' : 'search'} by itself, so only its first ${count.format(SCAN_BOUND)} sneks were looked at.`] : []),
    ],
    // What gallery.js needs to keep the page live: where the log stood, and how to tell which sneks belong here.
    live: after === undefined ? undefined : {
      after,
      type,
      name,
      order,
      from: order === 'id' && startsLater ? first?.id : undefined,
      to: order === 'id' && page.nextCursor ? last?.id : undefined,
      previewLines: CARD_PREVIEW_LINES,
    },
    empty: emptyMessage(query),
    elsewhere: elsewhere.map((snek) => ({ name: snek.name, type: snek.type, href: `/s/${snek.id}` })),
    elsewhereHref: elsewhere.length > 0 ? galleryHref({ q }) : undefined,
    allHref: q !== undefined || name !== undefined || type ? '/' : undefined,
    prevHref: page.prevCursor ? galleryHref({ ...keep, type, cursor: page.prevCursor }) : undefined,
    // A later page links to the first when "previous" is not it.
    firstHref: laterPage ? galleryHref({ ...keep, type }) : undefined,
    nextHref: page.nextCursor ? galleryHref({ ...keep, type, cursor: page.nextCursor }) : undefined,
  };
}

/** The line a gallery page shows when it has no card. */
function emptyMessage({ q, name, type, cursor }: GalleryQuery): string {
  // A later page can empty when what was on it is deleted: Previous leads back.
  if (cursor !== undefined) return 'No more sneks here: the ones this page held are gone.';
  if (q !== undefined) return `No snek matches “${q}”${type ? ` in type ${type}` : ''}.`;
  if (name) return `No snek is named “${name}”${type ? ` in type ${type}` : ''}. Names must match exactly.`;
  if (type) return `There is no snek of type ${type}.`;
  return 'There are no sneks here yet.';
}

function lineCount(text: string): number {
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1 && lines <= CARD_PREVIEW_LINES; at = text.indexOf('\n', at + 1)) lines += 1;
  return lines;
}
