import { randomBytes } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { CSRF_FIELD } from './csrf.js';
import { browserCookie } from '../browser-cookie.js';
import type { WebContext } from './web-context.js';

/**
 * A sign-in form has no session to bind its CSRF token to, so it gets a nonce of its own: a random value in a
 * short-lived cookie, and in the form an HMAC of it that only this server can make. A page elsewhere can neither
 * read the cookie nor make the HMAC, so it cannot sign a browser in as someone else (login CSRF).
 */
const NONCE_MINUTES = 60;
const NONCE = browserCookie('snek_signin', 'strict');

function nonceOf(req: Request, context: WebContext): string | undefined {
  const value = NONCE.read(req, context.trustProxy);
  return value && /^[\w-]{22}$/.test(value) ? value : undefined;
}

/** The CSRF token for the sign-in forms of this page; sets the nonce cookie unless the browser has one. */
export function signInCsrf(req: Request, res: Response, context: WebContext): string {
  // The page holds a token bound to this browser's nonce, and may set the nonce: no cache may keep it.
  res.setHeader('Cache-Control', 'no-store');
  let nonce = nonceOf(req, context);
  if (!nonce) {
    nonce = randomBytes(16).toString('base64url');
    res.cookie(NONCE.name(req, context.trustProxy), nonce, { ...NONCE.options(req, context.trustProxy), maxAge: NONCE_MINUTES * 60_000 });
  }
  return context.access.sessions.csrfToken({ sid: `signin:${nonce}` });
}

/** Whether a sign-in form post carries the token of its browser's nonce. */
export function checksSignInCsrf(req: Request, context: WebContext, presented: unknown): boolean {
  const nonce = nonceOf(req, context);
  return nonce !== undefined && context.access.sessions.checksCsrf({ sid: `signin:${nonce}` }, presented);
}

// A token or a CSRF token is all a sign-in form sends; a body larger than this is neither.
export const signInFormBody: RequestHandler = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 4 });

/** A sign-in post must carry its form's CSRF token; without it the browser is shown the form again. */
export function requireSignInCsrf(context: WebContext): RequestHandler {
  return (req, res, next) => (checksSignInCsrf(req, context, req.body?.[CSRF_FIELD]) ? next() : res.redirect(303, '/signin?failed=expired'));
}
