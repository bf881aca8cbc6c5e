import type { RequestHandler } from 'express';
import { SnekError, type Scope } from '@snek/core';
import { actorOfSession } from '../actor.js';
import { readSession } from '../session-cookie.js';
import { formBody } from './editor-form.js';
import { sendPage, wantsHtml, type WebContext } from './web-context.js';

const SIGNED_OUT = 'You are not signed in, or your sign-in has ended, so nothing was changed. Sign in at /signin in another tab, then come back and send the form again.';

/**
 * A post of the editor's form whose sign-in has ended: nothing is written, but what the person typed is shown
 * back, so it is not lost with the page (the editor's pages are no-store, so Back may not keep it).
 */
function keepWhatWasTyped(context: WebContext): RequestHandler {
  return (req, res, next) =>
    formBody(req, res, (error?: unknown) => {
      if (error) return next(error);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : undefined);
      const kept = { name: field('name'), type: field('type'), content: field('content')?.replaceAll('\r\n', '\n') };
      if (kept.content === undefined || !wantsHtml(req)) return next(new SnekError('UNAUTHORIZED', SIGNED_OUT));
      res.setHeader('Cache-Control', 'no-store');
      sendPage(req, res, context, 'error', { title: 'Not saved', heading: 'Not saved: you are signed out', message: SIGNED_OUT, kept }, 401);
    });
}

/**
 * The editor's pages and posts act for the browser's session, and only one with the write scope (and read, on a
 * private server). Without a session a page sends the browser to sign in; a post says that nothing was saved,
 * since a redirect would drop what the person typed. The actor it sets is who the store and the log are told of.
 */
export function requireWriteSession(context: WebContext): RequestHandler {
  const needed: Scope[] = context.access.read === 'token' ? ['read', 'write'] : ['write'];
  const keep = keepWhatWasTyped(context);
  return async (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.vary('Cookie');
    const session = await readSession(req, res, context.access.sessions, context.trustProxy);
    if (!session) {
      if (req.method === 'GET' && wantsHtml(req)) return res.redirect(303, '/signin');
      if (req.method === 'POST') return keep(req, res, next);
      return next(new SnekError('UNAUTHORIZED', SIGNED_OUT));
    }
    const missing = needed.filter((scope) => !session.scopes.has(scope));
    if (missing.length > 0) {
      const who = session.person.name ?? session.person.sub;
      return next(new SnekError('FORBIDDEN', `You are signed in as ${who}, who may not change sneks: that needs the ${missing.join(' and ')} scope. Ask the server's admin for it, then sign in again.`));
    }
    res.locals.actor = actorOfSession(session);
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
