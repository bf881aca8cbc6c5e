import type { RequestHandler } from 'express';
import { SnekError, type Scope } from '@snek/core';
import { actorOfSession } from '../actor.js';
import { readSession } from '../session-cookie.js';
import { wantsHtml, type WebContext } from './web-context.js';

/**
 * The editor's pages and posts act for the browser's session, and only one with the write scope (and read, on a
 * private server). Without a session a page sends the browser to sign in; a post says that nothing was saved,
 * since a redirect would drop what the person typed. The actor it sets is who the store and the log are told of.
 */
export function requireWriteSession(context: WebContext): RequestHandler {
  const needed: Scope[] = context.access.read === 'token' ? ['read', 'write'] : ['write'];
  return async (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.vary('Cookie');
    const session = await readSession(req, res, context.access.sessions, context.trustProxy);
    if (!session) {
      if (req.method === 'GET' && wantsHtml(req)) return res.redirect(303, '/signin');
      return next(new SnekError('UNAUTHORIZED', 'You are not signed in, or your sign-in has ended, so nothing was changed. Sign in at /signin in another tab, then come back and send the form again.'));
    }
    const missing = needed.filter((scope) => !session.scopes.has(scope));
    if (missing.length > 0) {
      const who = session.person.name ?? session.person.sub;
      return next(new SnekError('FORBIDDEN', `You are signed in as ${who}, who may not change sneks: that needs the ${missing.join(' and ')} scope. Ask the server's admin for it, then sign in again.`));
    }
    res.locals.actor = actorOfSession(session);
    res.locals.tokenName = session.person.name ?? session.person.sub;
    next();
  };
}

/**
 * Opens the session, if any, for a page that only reads: it shows the editing controls to a writer alone. Such a
 * page differs by cookie, and one made for a session (it holds a CSRF token) is no one else's to cache.
 */
export function openSession(context: WebContext): RequestHandler {
  return async (req, res, next) => {
    res.vary('Cookie');
    const session = await readSession(req, res, context.access.sessions, context.trustProxy);
    if (session) res.setHeader('Cache-Control', 'private');
    next();
  };
}
