import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { browserCookie, type BrowserCookie } from './browser-cookie.js';
import type { WebContext } from './web-context.js';

/**
 * A sign-in form has no session to bind its CSRF token to, so it gets a nonce of its own: a random value in a
 * short-lived cookie, and in the form an HMAC of it that only this server can make. A page elsewhere can neither
 * read the cookie nor make the HMAC, so it cannot sign a browser in as someone else (login CSRF).
 */
const NONCE_MINUTES = 60;
const cookies = new WeakMap<WebContext, BrowserCookie>();
const cookieOf = (context: WebContext) => cookies.get(context) ?? cookies.set(context, browserCookie('snek_signin', 'strict', context.trustProxy)).get(context)!;

function nonceOf(req: Request, context: WebContext): string | undefined {
  const value = cookieOf(context).read(req);
  return value && /^[\w-]{22}$/.test(value) ? value : undefined;
}

/** The CSRF token for the sign-in forms of this page; sets the nonce cookie unless the browser has one. */
export function signInCsrf(req: Request, res: Response, context: WebContext): string {
  // The page holds a token bound to this browser's nonce, and may set the nonce: no cache may keep it.
  res.setHeader('Cache-Control', 'no-store');
  let nonce = nonceOf(req, context);
  if (!nonce) {
    const cookie = cookieOf(context);
    nonce = randomBytes(16).toString('base64url');
    res.cookie(cookie.name(req), nonce, { ...cookie.options(req), maxAge: NONCE_MINUTES * 60_000 });
  }
  return context.access.sessions.csrfToken({ sid: `signin:${nonce}` });
}

/** Whether a sign-in form post carries the token of its browser's nonce. */
export function checksSignInCsrf(req: Request, context: WebContext, presented: unknown): boolean {
  const nonce = nonceOf(req, context);
  return nonce !== undefined && context.access.sessions.checksCsrf({ sid: `signin:${nonce}` }, presented);
}
