import { randomBytes } from 'node:crypto';
import { parseCookie } from 'cookie';
import type { CookieOptions, Request, Response } from 'express';
import { cameOverHttps } from '../https-request.js';
import type { WebContext } from './web-context.js';

/**
 * A sign-in form has no session to bind its CSRF token to, so it gets a nonce of its own: a random value in a
 * short-lived cookie, and in the form an HMAC of it that only this server can make. A page elsewhere can neither
 * read the cookie nor make the HMAC, so it cannot sign a browser in as someone else (login CSRF).
 */
const NONCE_COOKIE = { https: '__Host-snek_signin', http: 'snek_signin' } as const;
const NONCE_MINUTES = 60;

function cookieName(req: Request, context: WebContext): string {
  return cameOverHttps(req, context.trustProxy) ? NONCE_COOKIE.https : NONCE_COOKIE.http;
}

function cookieOptions(req: Request, context: WebContext): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure: cameOverHttps(req, context.trustProxy), path: '/' };
}

function nonceOf(req: Request, context: WebContext): string | undefined {
  const value = req.headers.cookie ? parseCookie(req.headers.cookie)[cookieName(req, context)] : undefined;
  return value && /^[\w-]{22}$/.test(value) ? value : undefined;
}

/** The CSRF token for the sign-in forms of this page; sets the nonce cookie unless the browser has one. */
export function signInCsrf(req: Request, res: Response, context: WebContext): string {
  let nonce = nonceOf(req, context);
  if (!nonce) {
    nonce = randomBytes(16).toString('base64url');
    res.cookie(cookieName(req, context), nonce, { ...cookieOptions(req, context), maxAge: NONCE_MINUTES * 60_000 });
  }
  return context.access.sessions.csrfToken({ sid: `signin:${nonce}` });
}

/** Whether a sign-in form post carries the token of its browser's nonce. */
export function checksSignInCsrf(req: Request, context: WebContext, presented: unknown): boolean {
  const nonce = nonceOf(req, context);
  return nonce !== undefined && context.access.sessions.checksCsrf({ sid: `signin:${nonce}` }, presented);
}
