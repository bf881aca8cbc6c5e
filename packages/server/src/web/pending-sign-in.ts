import { parseCookie } from 'cookie';
import type { CookieOptions, Request, Response } from 'express';
import { cameOverHttps } from '../https-request.js';
import type { WebContext } from './web-context.js';

/**
 * What a redirect sign-in needs back at its callback (state, nonce, PKCE verifier), sealed with the session keys.
 * SameSite=Lax, not Strict: the callback is a top-level navigation from the identity provider's site.
 */
const PENDING_COOKIE = { https: '__Host-snek_pending', http: 'snek_pending' } as const;
const PENDING_MINUTES = 10;

function cookieName(req: Request, context: WebContext): string {
  return cameOverHttps(req, context.trustProxy) ? PENDING_COOKIE.https : PENDING_COOKIE.http;
}

function cookieOptions(req: Request, context: WebContext): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: cameOverHttps(req, context.trustProxy), path: '/' };
}

export async function keepPending(req: Request, res: Response, context: WebContext, provider: string, pending: string): Promise<void> {
  const value = await context.access.sessions.sealPending(provider, pending, PENDING_MINUTES);
  res.cookie(cookieName(req, context), value, { ...cookieOptions(req, context), maxAge: PENDING_MINUTES * 60_000 });
}

/** The pending sign-in of this browser for `provider`, cleared as it is taken: a callback is good once. */
export async function takePending(req: Request, res: Response, context: WebContext, provider: string): Promise<string | null> {
  const name = cookieName(req, context);
  const value = req.headers.cookie ? parseCookie(req.headers.cookie)[name] : undefined;
  if (value === undefined) return null;
  res.clearCookie(name, cookieOptions(req, context));
  return context.access.sessions.openPending(provider, value);
}
