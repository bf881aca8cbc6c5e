import type { Request, Response } from 'express';
import { browserCookie } from '../browser-cookie.js';
import type { WebContext } from './web-context.js';

/**
 * What a redirect sign-in needs back at its callback (state, nonce, PKCE verifier), sealed with the session keys.
 * SameSite=Lax, not Strict: the callback is a top-level navigation from the identity provider's site.
 */
const PENDING_MINUTES = 10;
const PENDING = browserCookie('snek_pending', 'lax');

export async function keepPending(req: Request, res: Response, context: WebContext, provider: string, pending: string): Promise<void> {
  const value = await context.access.sessions.sealPending(provider, pending, PENDING_MINUTES);
  res.setHeader('Cache-Control', 'no-store');
  res.cookie(PENDING.name(req, context.trustProxy), value, { ...PENDING.options(req, context.trustProxy), maxAge: PENDING_MINUTES * 60_000 });
}

/** The pending sign-in of this browser for `provider`, cleared as it is taken: a callback is good once. */
export async function takePending(req: Request, res: Response, context: WebContext, provider: string): Promise<string | null> {
  const value = PENDING.read(req, context.trustProxy);
  if (value === undefined) return null;
  res.clearCookie(PENDING.name(req, context.trustProxy), PENDING.options(req, context.trustProxy));
  return context.access.sessions.openPending(provider, value);
}
