import { Router, type ErrorRequestHandler, type IRoute, type RequestHandler } from 'express';
import { SnekError } from '@snek/core';
import { sendProblem } from '../problem.js';
import type { RateLimits } from '../rate-limits.js';

export type RouteMethod = 'get' | 'put' | 'post' | 'delete';

/**
 * Who may call one route of an area, decided from its method and path alone: the guard is attached to each
 * route, so it runs only for requests that route matches, wherever the area's router is mounted.
 */
export type AreaGuard = (route: { method: RouteMethod; path: string }) => RequestHandler[];

/** What an area's route files register on; every route gets the area's guard first. */
export interface AreaRoutes {
  get(path: string, ...handlers: RequestHandler[]): void;
  put(path: string, ...handlers: RequestHandler[]): void;
  post(path: string, ...handlers: RequestHandler[]): void;
  delete(path: string, ...handlers: RequestHandler[]): void;
  /** Middleware for a path prefix (static files), behind the guard of a GET there. */
  use(path: string, ...handlers: RequestHandler[]): void;
}

/** A 405 with Allow for a method the path lacks; OPTIONS gets the Allow alone. A handler's own next() passes on. */
function otherMethods(methods: readonly string[]): RequestHandler {
  const allowed = new Set(methods.flatMap((method) => (method === 'GET' ? ['GET', 'HEAD'] : [method])));
  const allow = [...allowed].join(', ');
  return (req, res, next) => {
    if (allowed.has(req.method)) return next('route');
    res.setHeader('Allow', allow);
    if (req.method === 'OPTIONS') return void res.status(204).end();
    sendProblem(req, res, new SnekError('METHOD_NOT_ALLOWED', `${req.path} does not take ${req.method.slice(0, 20)}; it allows ${allow}. See /docs for the API.`));
  };
}

/**
 * Express decodes a route's parameters while matching it, so a path that does not decode (`/v1/sneks/%zz`) fails
 * before the route's guard runs. The guard still decides first: only a caller it lets through learns of the 400.
 */
function guardFirst(guard: AreaGuard): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (!(error instanceof URIError)) return next(error);
    const method = req.method === 'HEAD' ? 'get' : (req.method.toLowerCase() as RouteMethod);
    const chain = guard({ method, path: req.path });
    const step = (i: number) => (refused?: unknown) => {
      if (refused) return next(refused);
      if (i === chain.length) return next(error);
      chain[i]!(req, res, step(i + 1));
    };
    step(0)();
  };
}

/**
 * One area of the server (the API, the gallery, health, docs) as an express Router with its own guard and its
 * own error handler. `seal` adds the 405s and the error handler after the last route. With `limits`, every
 * route counts its request against the address before the guard, and against the actor the guard verified after.
 */
export function areaRouter(areaGuard: AreaGuard, limits?: RateLimits): AreaRoutes & { seal(onError: ErrorRequestHandler): Router } {
  const router = Router();
  const routes = new Map<string, { route: IRoute; methods: string[] }>();
  const guard: AreaGuard = limits ? (route) => [...limits.beforeGuard, ...areaGuard(route), ...limits.afterGuard] : areaGuard;
  const add = (method: RouteMethod) => (path: string, ...handlers: RequestHandler[]) => {
    let entry = routes.get(path);
    if (!entry) routes.set(path, (entry = { route: router.route(path), methods: [] }));
    entry.route[method](...guard({ method, path }), ...handlers);
    entry.methods.push(method.toUpperCase());
  };
  return {
    get: add('get'),
    put: add('put'),
    post: add('post'),
    delete: add('delete'),
    use(path, ...handlers) {
      const label = `${path}/*`;
      const named: RequestHandler = (_req, res, next) => {
        res.locals.routePrefix = label;
        next();
      };
      router.use(path, named, ...guard({ method: 'get', path }), ...handlers);
    },
    seal(onError) {
      for (const { route, methods } of routes.values()) route.all(otherMethods(methods));
      router.use(guardFirst(guard), onError);
      return router;
    },
  };
}
