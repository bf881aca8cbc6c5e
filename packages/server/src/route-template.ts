import type { Response } from 'express';

/** The label of a request that no route took: a 404, a path that does not decode. */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * The route a request was answered by, as registered (`/v1/sneks/:id`), never its raw path, so that metrics
 * labels and log fields stay few. Express keeps `req.route` once a route matched (our routers mount at the root);
 * static files under a prefix have no route, and their area router names the prefix in `res.locals.routePrefix`.
 */
export function routeTemplate(res: Response): string {
  const path = (res.req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return path;
  return res.locals.routePrefix ?? UNMATCHED_ROUTE;
}
