import express from 'express';
import { findToken } from '../access.js';
import { tokenPerson } from '../actor.js';
import { endSession, startSession } from '../session-cookie.js';
import type { AreaRoutes } from '../routes/area-router.js';
import { requireCsrf } from './csrf.js';
import { sameOriginOnly } from './same-origin.js';
import { sendPage, type WebContext } from './web-context.js';

// A token or a CSRF token is all a form sends; a body larger than this is neither.
const formBody = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 4 });

// Fixed messages: nothing from the URL is shown back.
const SIGN_IN_FAILURES: Record<string, string> = {
  invalid: 'That token is not valid on this server. Check it and try again.',
  empty: 'Enter a token.',
  scope: "That token has no read scope. Ask the server's admin for a token with read.",
};

/**
 * /signin and /signout, open on a private server: the form is how a browser gets in. Tokens travel only in POST
 * bodies, and the cookie holds a session made from the token, never the token. /signin has no session to bind a
 * CSRF token to, so the same-origin check alone is its defence against login CSRF; /signout needs both.
 */
export function signInRoutes(router: AreaRoutes, context: WebContext): void {
  const isPrivate = context.access.read === 'token';
  router.get('/signin', (req, res) => {
    if (!isPrivate) return res.redirect(303, '/');
    const failed = typeof req.query['failed'] === 'string' ? SIGN_IN_FAILURES[req.query['failed']] : undefined;
    sendPage(req, res, context, 'sign-in', { title: 'Sign in', error: failed });
  });

  const sameOrigin = sameOriginOnly(context);
  router.post('/signin', sameOrigin, formBody, async (req, res) => {
    if (!isPrivate) return res.redirect(303, '/');
    const presented = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const token = presented ? findToken(context.access, presented) : null;
    // Post/redirect/get: a reload does not post the token again, and the URL names only the kind of failure.
    if (!token) return res.redirect(303, `/signin?failed=${presented ? 'invalid' : 'empty'}`);
    if (!token.scopes.has('read')) return res.redirect(303, '/signin?failed=scope');
    res.locals.tokenName = token.name;
    await startSession(req, res, context.access.sessions, context.trustProxy, tokenPerson(token.name), token.scopes);
    res.redirect(303, '/');
  });

  router.post('/signout', sameOrigin, formBody, requireCsrf(context), (req, res) => {
    endSession(req, res, context.trustProxy);
    res.redirect(303, isPrivate ? '/signin' : '/');
  });
}
