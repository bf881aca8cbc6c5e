import type { Request, Response } from 'express';
import type { Scope } from '@snek/core';
import { browserCookie } from './browser-cookie.js';
import type { HttpsPolicy } from './https-request.js';
import type { Person, Session, SessionKeys } from './sessions.js';

declare global {
  namespace Express {
    interface Locals {
      /** The request's session once opened: null when it has none that is valid. */
      session?: Session | null;
    }
  }
}

/** SameSite=Strict: the browser sends it only with requests that start on this site. It holds a sealed session, never a token. */
const SESSION = browserCookie('snek_session', 'strict');

/**
 * The request's session: the cookie of its scheme's name, opened with the keys; null when absent, tampered,
 * sealed with a key the server no longer has, or expired. Opened once per request and kept in res.locals.
 */
export async function readSession(req: Request, res: Response, keys: SessionKeys, trustProxy: HttpsPolicy): Promise<Session | null> {
  if (res.locals.session !== undefined) return res.locals.session;
  const value = SESSION.read(req, trustProxy);
  const session = value ? await keys.open(value) : null;
  res.locals.session = session;
  return session;
}

/**
 * Signs a browser in: seals a new session for `person` with `scopes` and sets its cookie. Every way of signing
 * in (the token form today, a sign-in provider later) ends here.
 */
export async function startSession(req: Request, res: Response, keys: SessionKeys, trustProxy: HttpsPolicy, person: Person, scopes: Iterable<Scope>): Promise<Session> {
  const { value, session } = await keys.seal(person, scopes);
  // An answer that sets a session is this browser's alone: no cache may keep it, Set-Cookie and all.
  res.setHeader('Cache-Control', 'no-store');
  res.cookie(SESSION.name(req, trustProxy), value, { ...SESSION.options(req, trustProxy), expires: session.expiresAt });
  res.locals.session = session;
  return session;
}

/** Signs a browser out: its cookie is cleared. The sealed value itself stays valid until it expires. */
export function endSession(req: Request, res: Response, trustProxy: HttpsPolicy): void {
  res.setHeader('Cache-Control', 'no-store');
  res.clearCookie(SESSION.name(req, trustProxy), SESSION.options(req, trustProxy));
  res.locals.session = null;
}
