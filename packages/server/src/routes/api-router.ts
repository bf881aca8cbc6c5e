import type { Router } from 'express';
import type { Logger } from 'pino';
import type { SnekStore } from '@snek/core';
import { requireScope, type AccessPolicy } from '../access.js';
import { problemHandler } from '../problem.js';
import type { PackSummary } from '../seed-packs.js';
import type { ChangeStreams } from '../change-stream.js';
import type { RateLimits } from '../rate-limits.js';
import { areaRouter, type AreaGuard } from './area-router.js';
import { changeStreamRoutes } from './change-stream.js';
import { OPEN_API_PATHS, authRoutes } from './auth.js';
import { changeRoutes } from './changes.js';
import { legacyRoutes } from './legacy.js';
import { packRoutes } from './packs.js';
import { revisionRoutes } from './revisions.js';
import { snekRoutes } from './sneks.js';
import type { AnswerCache } from '../answer-cache.js';

export interface ApiRouterOptions {
  store: SnekStore;
  changeStreams?: ChangeStreams | undefined;
  answers?: AnswerCache | undefined;
  packs: readonly PackSummary[];
  access: AccessPolicy;
  /** server.limits; none when absent. */
  limits?: RateLimits | undefined;
  logger: Logger;
}

/** Routes that need the admin scope, on any server: the audit log names everyone who wrote. */
export const ADMIN_API_PATHS: ReadonlySet<string> = new Set(['/v1/changes']);

/**
 * The API's one rule: a GET reads, anything else writes, and on a private server a write must also be
 * allowed to read. /v1/auth and /v1/whoami answer anyone: they say how to get in. The audit log (/v1/changes) needs
 * admin, and on a private server read too; its live stream (/v1/changes/stream) is a read like any GET. On a public
 * server a GET has no guard at all, so the hot reads pay nothing for it.
 */
export function apiGuard(access: AccessPolicy): AreaGuard {
  const canRead = requireScope(access, 'read');
  const canWrite = requireScope(access, 'write');
  const canAdmin = requireScope(access, 'admin');
  const isPrivate = access.read === 'token';
  const reader = isPrivate ? [canRead] : [];
  return ({ method, path }) => {
    if (OPEN_API_PATHS.has(path)) return [];
    if (ADMIN_API_PATHS.has(path)) return [...reader, canAdmin];
    return method === 'get' ? reader : [...reader, canWrite];
  };
}

/** /v1 and the prototype's /sneks: errors are problem+json. */
export function apiRouter(options: ApiRouterOptions): Router {
  const routes = areaRouter(apiGuard(options.access), options.limits);
  snekRoutes(routes, options.store, options.answers);
  revisionRoutes(routes, options.store);
  changeRoutes(routes, options.store);
  authRoutes(routes, options.access);
  legacyRoutes(routes, options.store);
  packRoutes(routes, options.packs);
  changeStreamRoutes(routes, options.changeStreams);
  return routes.seal(problemHandler(options.logger));
}
