import { isIP } from 'node:net';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { SnekError, type Actor, type RateLimitSettings } from '@snek/core';

/**
 * What an area's router runs around its guard: `beforeGuard` counts the client's address, before any work on
 * credentials; `afterGuard` counts the actor the guard verified, if it set one. The health checks' router gets
 * neither, so they are never limited.
 */
export interface RateLimits {
  beforeGuard: RequestHandler[];
  afterGuard: RequestHandler[];
}

type Quota = 'address' | 'actor';

/**
 * The client's address: req.ip, which is the TCP peer, or with server.trustProxy the last address of
 * X-Forwarded-For (the app trusts one hop). A forwarded value that is not an address counts as the peer.
 */
function clientAddress(req: Request): string {
  const address = req.ip !== undefined && isIP(req.ip) ? req.ip : (req.socket.remoteAddress ?? '');
  // On a dual-stack listener IPv4 peers arrive as ::ffff:a.b.c.d; as IPv6 they would all share one /56 budget.
  return IPV4_MAPPED.exec(address)?.[1] ?? address;
}

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** A person is theirs at one provider: two providers may issue the same subject. */
function actorKey(actor: Actor): string {
  return actor.kind === 'token' ? `token:${actor.id}` : `person:${actor.via ?? ''}:${actor.id}`;
}

function actorLabel(actor: Actor): string {
  return actor.kind === 'token' ? `the token "${actor.id}"` : `"${actor.name ?? actor.email ?? actor.id}"`;
}

/**
 * The 429: a SnekError for the router's own error handler, so the API answers problem+json and the gallery a page.
 * The first refusal of each key in a window is logged, so an operator can see who is being turned away.
 */
function refusal(quota: Quota, limit: number, logger: Logger): (req: Request, res: Response, next: (error: unknown) => void) => void {
  return (req, res, next) => {
    const counted = (req as unknown as Record<string, { used: number; key: string } | undefined>)[propertyOf(quota)];
    if (counted?.used === limit + 1) logger.warn({ limitedBy: quota, [quota]: counted.key, limit }, `rate limit reached: ${quota} ${counted.key} went past ${limit} requests a minute`);
    const seconds = Math.max(1, Number(res.getHeader('retry-after')) || 0);
    const who = quota === 'address' ? 'your address' : actorLabel(res.locals.actor as Actor);
    const each = quota === 'address' ? 'one address' : 'one person or token';
    next(new SnekError('RATE_LIMITED', `Too many requests from ${who}: this server takes at most ${limit} a minute from ${each}. Try again in ${seconds} s.`, { details: { limitedBy: quota, retryAfter: seconds } }));
  };
}

/** Where express-rate-limit leaves a request's count (req.rateLimit_address, req.rateLimit_actor). */
const propertyOf = (quota: Quota) => `rateLimit_${quota}`;

/** A request that matches routes of two areas is still counted once. */
function once(limiter: RequestHandler): RequestHandler {
  const counted = new WeakSet<Request>();
  return (req, res, next) => {
    if (counted.has(req)) return next();
    counted.add(req);
    limiter(req, res, next);
  };
}

function limiter(quota: Quota, limit: number, key: (req: Request, res: Response) => string, logger: Logger, skip?: (req: Request, res: Response) => boolean): RequestHandler {
  return once(
    rateLimit({
      windowMs: 60_000,
      limit,
      // The IETF draft's RateLimit-Policy and RateLimit (draft 8 on), one entry per quota, and Retry-After on a 429.
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: quota,
      keyGenerator: key,
      ...(skip ? { skip } : {}),
      requestPropertyName: propertyOf(quota),
      handler: refusal(quota, limit, logger),
      // Its checks of a misconfiguration go to the server's log, not to the console.
      logger,
    }),
  );
}

/**
 * The limiters of `server.limits`, one in-memory count per server process, or undefined without limits. Each
 * quota is a window of one minute per key (the address, or the verified actor).
 */
export function rateLimits(settings: RateLimitSettings | undefined, logger: Logger): RateLimits | undefined {
  const { actor, address } = settings?.perMinute ?? {};
  if (actor === undefined && address === undefined) return undefined;
  return {
    // IPv6 clients are counted by their /56, as one site usually holds a whole prefix.
    beforeGuard: address === undefined ? [] : [limiter('address', address, (req) => ipKeyGenerator(clientAddress(req)), logger)],
    // Keyed by the actor the guard verified alone: a request with a wrong token never gets this far.
    afterGuard: actor === undefined ? [] : [limiter('actor', actor, (_req, res) => actorKey(res.locals.actor as Actor), logger, (_req, res) => res.locals.actor === undefined)],
  };
}
