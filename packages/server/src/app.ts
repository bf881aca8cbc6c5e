import cors from 'cors';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { SnekStore } from '@snek/core';
import { requireScope, type AccessPolicy } from './access.js';
import { requestLogger } from './logger.js';
import { problemHandler, routeNotFound } from './problem.js';
import { securityHeaders } from './security-headers.js';
import type { PackSummary } from './seed-packs.js';
import { docsRoutes } from './routes/docs.js';
import { livenessRoutes, readinessRoutes } from './routes/health.js';
import { legacyRoutes } from './routes/legacy.js';
import { packRoutes } from './routes/packs.js';
import { snekRoutes } from './routes/sneks.js';
import { webRoutes } from './web/web-routes.js';

export interface CreateAppOptions {
  store: SnekStore;
  /** Shown by /readyz; default "store". */
  storeName?: string;
  /** Shown by GET /v1/packs; default none. */
  packs?: readonly PackSummary[];
  /** Who may read and write; default: public reads, no writes. */
  access?: AccessPolicy;
  /** Origins allowed to call from a browser; CORS is off without them. */
  corsOrigins?: readonly string[];
  logger: Logger;
  /** Shown in /openapi.json. */
  version?: string;
  /** The gallery at / and plain-text sneks at /s/:id (server.web); default true. */
  web?: boolean;
  /** Believe X-Forwarded-Proto (server.trustProxy); default false. */
  trustProxy?: boolean;
}

/** The express app: routes only, no listening, so tests and embedders can mount it anywhere. */
export function createApp(options: CreateAppOptions): Express {
  const access = options.access ?? { tokens: [], read: 'public' };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'strong');
  app.set('query parser', 'simple');
  app.use(requestLogger(options.logger));
  app.use(securityHeaders({ trustProxy: options.trustProxy ?? false }));
  if (options.corsOrigins?.length) {
    app.use(cors({ origin: [...options.corsOrigins], allowedHeaders: ['authorization', 'content-type', 'if-none-match'], exposedHeaders: ['etag', 'x-request-id'] }));
  }
  // Routes sit on the app's own router, not nested routers: each router a request enters costs it time.
  livenessRoutes(app);
  // The gallery and /s/:id check reads themselves: without a token a browser gets the sign-in form, not a 401.
  // So on a private server they come before the read guard; on a public one, after the API's hot routes.
  const web = options.web === false ? undefined : () => webRoutes(app, { store: options.store, access, trustProxy: options.trustProxy ?? false });
  if (access.read === 'token') web?.();
  // Everything after /healthz is a read: open on a public server, token-only on a private one.
  if (access.read === 'token') app.use(requireScope(access, 'read'));
  // The hot routes first: every route a request is matched against costs it time too.
  snekRoutes(app, options.store, requireScope(access, 'write'));
  legacyRoutes(app, options.store);
  packRoutes(app, options.packs ?? []);
  readinessRoutes(app, options.store, options.storeName ?? 'store');
  docsRoutes(app, options.version ?? '0.0.0');
  if (access.read !== 'token') web?.();
  app.use(routeNotFound);
  app.use(problemHandler(options.logger));
  return app;
}
