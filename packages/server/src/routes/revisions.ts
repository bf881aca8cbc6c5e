import type { SnekStore } from '@snek/core';
import { withConditionalWrites } from '../conditional-fallback.js';
import { readRevision, readRevisions, restoreRevision } from '../history.js';
import { sendJson, sendJsonTagged, snekEtag } from '../json-response.js';
import { readPreconditions } from '../preconditions.js';
import { parseId, parseRevisionsQuery, parseSeq } from '../validation.js';
import type { AreaRoutes } from './area-router.js';

/** A snek's history, one revision of it, and undo; who may call each is the API guard's to say. */
export function revisionRoutes(router: AreaRoutes, store: SnekStore): void {
  router.get('/v1/sneks/:id/revisions', async (req, res) => {
    const id = parseId(req);
    sendJson(res, await readRevisions(store, id, parseRevisionsQuery(req)));
  });

  router.get('/v1/sneks/:id/revisions/:seq', async (req, res) => {
    const id = parseId(req);
    sendJson(res, await readRevision(store, id, parseSeq(req)));
  });

  // The same writer as PUT's, so a store without putIf orders a restore with every other write of the id.
  const writer = withConditionalWrites(store);

  // No body: the revision is the snek to write. It answers as a PUT of that snek would.
  router.post('/v1/sneks/:id/revisions/:seq/restore', async (req, res) => {
    const id = parseId(req);
    const seq = parseSeq(req);
    const preconditions = readPreconditions(req);
    const { snek, created } = await restoreRevision(writer, store, id, seq, preconditions, { actor: res.locals.actor });
    sendJsonTagged(res, snek, created ? 201 : 200, snekEtag(snek));
  });
}
