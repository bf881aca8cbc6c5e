import express, { type CookieOptions, type Request } from 'express';
import { SIGN_IN_COOKIE, findToken } from '../access.js';
import { cameOverHttps } from '../https-request.js';
import type { AreaRoutes } from '../routes/area-router.js';
import { sameOriginOnly } from './same-origin.js';
import { sendPage, type WebContext } from './web-context.js';

// The token is all the form sends; a body larger than this is not a token.
const formBody = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 4 });

// Fixed messages: nothing from the URL is shown back.
const SIGN_IN_FAILURES: Record<string, string> = {
  invalid: 'That token is not valid on this server. Check it and try again.',
  empty: 'Enter a token.',
  scope: "That token has no read scope. Ask the server's admin for a token with read.",
};

/**
 * HttpOnly: no script can read the token. SameSite=Strict: the browser sends it only with requests that start
 * on this site, so a page elsewhere cannot read through it; the forms themselves take only same-origin posts
 * (same-origin.ts); and the API takes the cookie for reads only (access.ts), so a browser can never be tricked into writing.
 */
function cookieOptions(req: Request, context: WebContext): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure: cameOverHttps(req, context.trustProxy), path: '/' };
}

/** /signin and /signout, open on a private server: the form is how a browser gets in. Tokens travel only in POST bodies. */
export function signInRoutes(router: AreaRoutes, context: WebContext): void {
  const isPrivate = context.access.read === 'token';
  router.get('/signin', (req, res) => {
    if (!isPrivate) return res.redirect(303, '/');
    const failed = typeof req.query['failed'] === 'string' ? SIGN_IN_FAILURES[req.query['failed']] : undefined;
    sendPage(req, res, context, 'sign-in', { title: 'Sign in', error: failed });
  });

  const sameOrigin = sameOriginOnly(context);
  router.post('/signin', sameOrigin, formBody, (req, res) => {
    if (!isPrivate) return res.redirect(303, '/');
    const presented = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const token = presented ? findToken(context.access, presented) : null;
    // Post/redirect/get: a reload does not post the token again, and the URL names only the kind of failure.
    if (!token) return res.redirect(303, `/signin?failed=${presented ? 'invalid' : 'empty'}`);
    if (!token.scopes.has('read')) return res.redirect(303, '/signin?failed=scope');
    res.locals.tokenName = token.name;
    res.cookie(SIGN_IN_COOKIE, presented, cookieOptions(req, context));
    res.redirect(303, '/');
  });

  router.post('/signout', sameOrigin, (req, res) => {
    res.clearCookie(SIGN_IN_COOKIE, cookieOptions(req, context));
    res.redirect(303, isPrivate ? '/signin' : '/');
  });
}
