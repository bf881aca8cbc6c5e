import { keepsChangeLog, SnekError, type Snek, type SnekStore } from '@snek/core';
import { findSneks } from '../find-sneks.js';
import type { AreaRoutes } from '../routes/area-router.js';
import { countTypes } from '../store-scan.js';
import { parseId } from '../validation.js';
import { parseGalleryQuery, type GalleryQuery } from './gallery-query.js';
import { galleryForm, galleryHref, galleryResults } from './gallery-view.js';
import { lastEdits, newestSeq } from './last-edits.js';
import { originOf, sendPage, sendWebError, wantsHtml, type WebContext } from './web-context.js';

/** How many matches in other types a search of one type that found nothing suggests. */
const ELSEWHERE_LIMIT = 3;

/**
 * GET / (the gallery: browse, sort and search, through findSneks as the API does) and GET /s/:id (one snek: a
 * page for browsers, the bare art for curl). Access and errors are the web router's: a rejected promise goes to
 * its error handler.
 */
export function galleryRoutes(router: AreaRoutes, store: SnekStore, context: WebContext): void {
  router.get('/', async (req, res) => {
    const query = parseGalleryQuery(req);
    // Read before the page, so that the live updates start from a change no later than what the page shows.
    const after = await newestSeq(store);
    const [page, types] = await Promise.all([findSneks(store, query.find), countTypes(store)]);
    const [edits, elsewhere] = await Promise.all([lastEdits(store, page.items.map((snek) => snek.id)), page.items.length === 0 ? inOtherTypes(store, query) : []]);
    const results = galleryResults({ query, page, types, edits, after, elsewhere });
    if (query.resultsOnly) return sendPage(req, res, context, 'gallery-results', { title: results.heading, ...results });
    sendPage(req, res, context, 'gallery', {
      title: results.heading,
      ...galleryForm(query),
      ...results,
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
      typeHref: galleryHref({ type: snek.type }),
      curl: `curl ${bearer}${originOf(req, context)}/s/${snek.id}`,
      edited,
      historyHref: keepsChangeLog(store) ? `/s/${snek.id}/history` : undefined,
      // The editor's redirects after a save and a restore: fixed words, nothing from the URL shown back.
      notice: req.query['saved'] === '1' ? 'Saved.' : req.query['restored'] === '1' ? 'Restored.' : undefined,
    });
  });
}

/** A search of one type that found nothing: the best matches in every type, if any. */
async function inOtherTypes(store: SnekStore, query: GalleryQuery): Promise<Snek[]> {
  if (query.q === undefined || query.type === undefined || query.cursor !== undefined) return [];
  return (await findSneks(store, { q: query.q, limit: ELSEWHERE_LIMIT })).items;
}
