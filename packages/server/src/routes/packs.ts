import { sendJson } from '../json-response.js';
import type { AreaRoutes } from './area-router.js';
import type { PackSummary } from '../seed-packs.js';

/** /v1/packs: the packs in force (`server.packs`), in order, with their versions and what each added at start. */
export function packRoutes(router: AreaRoutes, packs: readonly PackSummary[]): void {
  const body = { packs };
  router.get('/v1/packs', (_req, res) => {
    sendJson(res, body);
  });
}
