import cors from 'cors';
import express, { type Express, type Router } from 'express';
import type { Logger } from 'pino';
import type { RateLimitSettings, SnekStore } from '@snek/core';
import { accessPolicy, type AccessPolicy } from './access.js';
import type { ChangeStreams } from './change-stream.js';
import type { HttpsPolicy } from './https-request.js';
import { requestLogger } from './logger.js';
import type { ServerMetrics } from './metrics.js';
import { problemHandler, routeNotFound } from './problem.js';
import { rateLimits } from './rate-limits.js';
import { securityHeaders } from './security-headers.js';
import type { PackSummary } from './seed-packs.js';
import { apiRouter } from './routes/api-router.js';
import { docsRouter } from './routes/docs.js';
import { healthRouter } from './routes/health.js';
import { webRouter } from './web/web-routes.js';
import type { AnswerCache } from './answer-cache.js';

export interface CreateAppOptions {
  store: SnekStore;
  /** GET /v1/changes/stream; without it (a store with no change log) the route says there is none. */
  changeStreams?: ChangeStreams | undefined;
  /** The cache of answers of GET one snek and of list pages, on a server with a change log. */
  answers?: AnswerCache | undefined;
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
  /** Believe X-Forwarded-Proto, and the last address of X-Forwarded-For as the client's (server.trustProxy); default false. */
  trustProxy?: boolean;
  /** server.limits: requests a minute per actor and per address; none when absent. */
  limits?: RateLimitSettings | undefined;
  /** GET /metrics and the timing of every request (server.metrics); off without it. */
  metrics?: { metrics: ServerMetrics; allow: readonly string[] } | undefined;
  /** server.publicUrl: where sign-in providers send browsers back to. */
  publicUrl?: string | undefined;
}

/** The server's areas, each a Router with its own guard and error handler. */
export const ROUTERS = ['health', 'api', 'docs', 'web'] as const;
export type RouterName = (typeof ROUTERS)[number];

/**
 * The express app from its routers, mounted in `order`. Who may call a route is decided by its own router,
 * route by route, so the order changes no answer (a test mounts every order); it only sets which router a
 * request is matched against first. The API's hot reads come right after the two health routes.
 */
export function assembleApp(options: CreateAppOptions, order: readonly RouterName[]): Express {
  // The access policy chooses the session cookie's name by scheme, so it believes the proxy when the app does.
  // An https publicUrl means TLS ends in front of the server: its cookies are Secure and __Host- whatever the proxy says.
  const https: HttpsPolicy = options.publicUrl?.startsWith('https:') ? 'always' : options.trustProxy ?? false;
  const access: AccessPolicy = { ...(options.access ?? accessPolicy({}, {}, [])), trustProxy: https };
  const { store, logger } = options;
  // One count per app for every area but health, so the gallery and the API share each client's budget.
  const limits = rateLimits(options.limits, logger);
  const routers: Record<RouterName, () => Router | undefined> = {
    health: () => healthRouter({ store, storeName: options.storeName ?? 'store', access, logger, metrics: options.metrics }),
    api: () => apiRouter({ store, changeStreams: options.changeStreams, answers: options.answers, packs: options.packs ?? [], access, limits, logger }),
    docs: () => docsRouter({ version: options.version ?? '0.0.0', access, limits, logger }),
    web: () => (options.web === false ? undefined : webRouter({ store, access, trustProxy: https, publicUrl: options.publicUrl, limits, logger })),
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'strong');
  app.set('query parser', 'simple');
  // One proxy in front: req.ip (logs, server.metrics.allow, rate limits) is the address it saw, the last of X-Forwarded-For.
  // Trusting every hop would take the first, which the client writes itself.
  app.set('trust proxy', options.trustProxy === true ? 1 : false);
  app.use(requestLogger(logger));
  if (options.metrics) app.use(options.metrics.metrics.requestTimer());
  app.use(securityHeaders({ trustProxy: https }));
  if (options.corsOrigins?.length) {
    app.use(cors({ origin: [...options.corsOrigins], allowedHeaders: ['authorization', 'content-type', 'if-match', 'if-none-match'], exposedHeaders: ['etag', 'x-request-id', 'retry-after', 'ratelimit', 'ratelimit-policy'] }));
  }
  for (const name of order) {
    const router = routers[name]();
    if (router) app.use(router);
  }
  // A path no route has counts against its address too, so a scan of guesses runs out like any other client.
  if (limits) app.use(limits.beforeGuard);
  app.use(routeNotFound);
  app.use(problemHandler(logger));
  return app;
}

/** The express app: routes only, no listening, so tests and embedders can mount it anywhere. */
export function createApp(options: CreateAppOptions): Express {
  return assembleApp(options, ROUTERS);
}
