import type { RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import { SnekError, reportsStatus, type SnekStore } from '@snek/core';
import { presentsScope, type AccessPolicy } from '../access.js';
import { problemHandler } from '../problem.js';
import type { ServerMetrics } from '../metrics.js';
import { metricsAccess } from '../metrics-access.js';
import { areaRouter } from './area-router.js';
import { METRICS_PATH, metricsRoutes } from './metrics.js';

export interface HealthRouterOptions {
  store: SnekStore;
  /** Shown by /readyz to a reader. */
  storeName: string;
  access: AccessPolicy;
  logger: Logger;
  /** GET /metrics (server.metrics), for the admin scope and clients at `allow`; without it, /metrics is a 404. */
  metrics?: { metrics: ServerMetrics; allow: readonly string[] } | undefined;
}

// A health answer is about this moment, and /readyz's depends on who asks.
const uncached: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  res.vary('Authorization').vary('Cookie');
  next();
};

/**
 * /healthz (the process answers) and /readyz (the store answers too), open to anyone, even on a private server:
 * a load balancer sends no token. The status is all they tell, since the store's details (a database host, a
 * file's path) are not for everyone: those go only to a request with a read-scope token, on any server.
 * /metrics, when on, is for whoever runs the server: the admin scope, or a client at an address of
 * server.metrics.allow (a Prometheus inside the network).
 */
export function healthRouter(options: HealthRouterOptions): Router {
  const { store, storeName, access } = options;
  const forMetrics = options.metrics ? [uncached, metricsAccess(access, options.metrics.allow)] : [uncached];
  const routes = areaRouter(({ path }) => (path === METRICS_PATH ? forMetrics : [uncached]));
  routes.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  routes.get('/readyz', async (req, res) => {
    const reader = await presentsScope(req, res, access, 'read');
    let details: Record<string, unknown> = {};
    try {
      await store.list({ limit: 1 });
      if (reader && reportsStatus(store)) details = await store.status();
    } catch (error) {
      const why = reader ? `The ${storeName} store is not answering: ${(error as Error).message}` : 'The store is not answering. The server log has why; a token with the read scope sees it here too.';
      throw new SnekError('STORE_UNAVAILABLE', why, { cause: error });
    }
    res.json(reader ? { status: 'ready', store: storeName, ...details } : { status: 'ready' });
  });
  if (options.metrics) metricsRoutes(routes, options.metrics.metrics);
  return routes.seal(problemHandler(options.logger));
}
