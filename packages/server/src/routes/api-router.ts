import type { Router } from 'express';
import type { Logger } from 'pino';
import type { SnekStore } from '@snek/core';
import { requireScope, type AccessPolicy } from '../access.js';
import { problemHandler } from '../problem.js';
import type { PackSummary } from '../seed-packs.js';
import type { ChangeStreams } from '../change-stream.js';
import { areaRouter, type AreaGuard } from './area-router.js';
import { changeStreamRoutes } from './change-stream.js';
import { OPEN_API_PATHS, authRoutes } from './auth.js';
import { legacyRoutes } from './legacy.js';
import { packRoutes } from './packs.js';
import { snekRoutes } from './sneks.js';

export interface ApiRouterOptions {
  store: SnekStore;
  changeStreams?: ChangeStreams | undefined;
  packs: readonly PackSummary[];
  access: AccessPolicy;
  logger: Logger;
}

/**
 * The API's one rule: a GET reads, anything else writes, and on a private server a write must also be
 * allowed to read. /v1/auth and /v1/whoami answer anyone: they say how to get in. On a public server a GET has no guard at all, so the hot reads pay nothing for it.
 */
export function apiGuard(access: AccessPolicy): AreaGuard {
  const canRead = requireScope(access, 'read');
  const canWrite = requireScope(access, 'write');
  const isPrivate = access.read === 'token';
  return ({ method, path }) => (OPEN_API_PATHS.has(path) ? [] : method === 'get' ? (isPrivate ? [canRead] : []) : isPrivate ? [canRead, canWrite] : [canWrite]);
}

/** /v1 and the prototype's /sneks: errors are problem+json. */
export function apiRouter(options: ApiRouterOptions): Router {
  const routes = areaRouter(apiGuard(options.access));
  snekRoutes(routes, options.store);
  authRoutes(routes, options.access);
  legacyRoutes(routes, options.store);
  packRoutes(routes, options.packs);
  changeStreamRoutes(routes, options.changeStreams);
  return routes.seal(problemHandler(options.logger));
}
