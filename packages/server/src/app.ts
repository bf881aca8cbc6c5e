import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { SnekStore } from '@snek/core';
import { requestLogger } from './logger.js';
import { problemHandler, routeNotFound } from './problem.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { legacyRoutes } from './routes/legacy.js';
import { snekRoutes } from './routes/sneks.js';
import type { TokenDigests } from './write-auth.js';

export interface CreateAppOptions {
  store: SnekStore;
  /** Shown by /readyz; default "store". */
  storeName?: string;
  /** SHA-256 digests of the tokens that may write; none means writes answer 403. */
  writeTokens?: TokenDigests;
  logger: Logger;
  /** Shown in /openapi.json. */
  version?: string;
}

/** The express app: routes only, no listening, so tests and embedders can mount it anywhere. */
export function createApp(options: CreateAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'strong');
  app.set('query parser', 'simple');
  app.use(requestLogger(options.logger));
  app.use(express.json({ limit: '128kb', strict: true, type: ['application/json', 'application/*+json'] }));
  app.use(healthRoutes(options.store, options.storeName ?? 'store'));
  app.use(docsRoutes(options.version ?? '0.0.0'));
  app.use('/v1', snekRoutes(options.store, options.writeTokens ?? []));
  app.use(legacyRoutes(options.store));
  app.use(routeNotFound);
  app.use(problemHandler);
  return app;
}
