import type { SnekStore } from '@snek/core';
import { readChanges } from '../history.js';
import { sendJson } from '../json-response.js';
import { parseChangesQuery } from '../validation.js';
import type { AreaRoutes } from './area-router.js';

/** GET /v1/changes: the audit log, every change with its full actor; the API guard lets only `admin` in. */
export function changeRoutes(router: AreaRoutes, store: SnekStore): void {
  router.get('/v1/changes', async (req, res) => {
    const query = parseChangesQuery(req);
    // Who did what is for the admin alone: no cache keeps it, nor hands it to someone else.
    res.vary('Authorization').setHeader('Cache-Control', 'private, no-store');
    sendJson(res, await readChanges(store, query));
  });
}
