import type { Request } from 'express';
import { keepsChangeLog, SnekError, type SnekStore } from '@snek/core';
import type { AreaRoutes } from '../routes/area-router.js';
import { countTypes } from '../store-scan.js';
import { parseId, parseListParams } from '../validation.js';
import { lastEdits, newestSeq } from './last-edits.js';
import { originOf, sendPage, sendWebError, wantsHtml, type WebContext } from './web-context.js';

/** Sneks per gallery page: a few screens of cards, never the whole store. */
export const GALLERY_PAGE_SIZE = 48;

/**
 * The gallery's query without the empty fields its form sends, checked by the API's own list validation.
 * `deleted` is the editor's redirect after a delete: the page says so, in fixed words.
 */
function galleryQuery(req: Request) {
  const params = Object.fromEntries(Object.entries(req.query).filter(([key, value]) => value !== '' && !(key === 'deleted' && value === '1')));
  return parseListParams({ limit: String(GALLERY_PAGE_SIZE), ...params });
}

function href(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `/?${text}` : '/';
}

/** The line a gallery page shows when it has no card. */
function emptyMessage(name: string | undefined, type: string | undefined): string {
  if (name) return `No snek is named “${name}”${type ? ` in type ${type}` : ''}. Names must match exactly.`;
  if (type) return `There is no snek of type ${type}.`;
  return 'There are no sneks here yet.';
}

// A card shows this many lines of its art, faded out; its page /s/:id shows the whole of it.
export const CARD_PREVIEW_LINES = 24;

/**
 * GET / (the gallery) and GET /s/:id (one snek: a page for browsers, the bare art for curl). Access and
 * errors are the web router's: a rejected promise goes to its error handler.
 */
export function galleryRoutes(router: AreaRoutes, store: SnekStore, context: WebContext): void {
  router.get('/', async (req, res) => {
    const query = galleryQuery(req);
    // Read before the page, so that the live updates start from a change no later than what the page shows.
    const after = await newestSeq(store);
    const [page, types] = await Promise.all([store.list(query), countTypes(store)]);
    const edits = await lastEdits(store, page.items.map((snek) => snek.id));
    const { name, type, cursor } = query;
    const limit = query.limit === GALLERY_PAGE_SIZE ? undefined : query.limit;
    const chips = [
      { label: 'All', count: types.reduce((sum, t) => sum + t.count, 0), href: '/', current: !type && !name },
      ...types.map((t) => ({ label: t.type, type: t.type, count: t.count, href: href({ type: t.type }), current: t.type === type })),
    ];
    const heading = name ? `Sneks named “${name}”` : type ? `Sneks of type ${type}` : 'Sneks';
    sendPage(req, res, context, 'gallery', {
      title: heading,
      heading,
      name: name ?? '',
      type,
      chips,
      sneks: page.items.map((snek) => ({ ...snek, long: lineCount(snek.content) > CARD_PREVIEW_LINES, edited: edits.get(snek.id) })),
      // What gallery.js needs to keep the page live: where the log stood, and which sneks belong on this page.
      live: after === undefined ? undefined : {
        after,
        type,
        name,
        from: cursor ? page.items[0]?.id : undefined,
        to: page.nextCursor ? page.items.at(-1)?.id : undefined,
        previewLines: CARD_PREVIEW_LINES,
      },
      empty: emptyMessage(name, type),
      allHref: name || type ? '/' : undefined,
      firstHref: cursor ? href({ name, type, limit }) : undefined,
      nextHref: page.nextCursor ? href({ name, type, limit, cursor: page.nextCursor }) : undefined,
      notice: req.query['deleted'] === '1' ? 'The snek was deleted.' : undefined,
    });
  });

  router.get('/s/:id', async (req, res) => {
    res.vary('Accept');
    const id = parseId(req);
    const [snek, edits] = await Promise.all([store.get(id), lastEdits(store, [id])]);
    const edited = edits.get(id);
    if (!snek) {
      if (!edited) throw new SnekError('SNEK_NOT_FOUND', `There is no snek "${id}". See them all at ${originOf(req, context)}/`);
      // Deleted, with its history kept: say so, and where it can be restored from.
      const history = `/s/${id}/history`;
      const error = new SnekError('SNEK_NOT_FOUND', `The snek "${id}" was deleted ${edited.time.ago}${edited.by ? ` by ${edited.by}` : ''}. Its history, from which it can be restored, is at ${originOf(req, context)}${history}`);
      return sendWebError(req, res, context, error, !wantsHtml(req), { href: history, text: `The history of “${id}”` });
    }
    if (!wantsHtml(req)) {
      // The art and a final newline, as the snek CLI prints it.
      res.type('text/plain').send(snek.content.endsWith('\n') ? snek.content : `${snek.content}\n`);
      return;
    }
    const bearer = context.access.read === 'token' ? '-H "Authorization: Bearer $SNEK_TOKEN" ' : '';
    sendPage(req, res, context, 'snek', {
      title: snek.name,
      snek,
      typeHref: href({ type: snek.type }),
      curl: `curl ${bearer}${originOf(req, context)}/s/${snek.id}`,
      edited,
      historyHref: keepsChangeLog(store) ? `/s/${snek.id}/history` : undefined,
      // The editor's redirects after a save and a restore: fixed words, nothing from the URL shown back.
      notice: req.query['saved'] === '1' ? 'Saved.' : req.query['restored'] === '1' ? 'Restored.' : undefined,
    });
  });
}

function lineCount(text: string): number {
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1 && lines <= CARD_PREVIEW_LINES; at = text.indexOf('\n', at + 1)) lines += 1;
  return lines;
}
