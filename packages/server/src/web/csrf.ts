import type { RequestHandler } from 'express';
import { SnekError } from '@snek/core';
import { readSession } from '../session-cookie.js';
import type { WebContext } from './web-context.js';

/** The hidden field every state-changing form of a signed-in page carries. */
export const CSRF_FIELD = 'csrf';

/**
 * A form post that acts for a session must carry the session's CSRF token (an HMAC of its random sid, which only
 * the server can make and only its own pages show), on top of the same-origin check. Needs the form body parsed.
 * Without a valid session it passes with res.locals.session null: there is no one to act for, so the route decides.
 */
export function requireCsrf(context: WebContext): RequestHandler {
  return async (req, res, next) => {
    const session = await readSession(req, res, context.access.sessions, context.trustProxy);
    if (!session || context.access.sessions.checksCsrf(session, req.body?.[CSRF_FIELD])) return next();
    next(new SnekError('FORBIDDEN', 'This form is missing its CSRF token, or it is from an older sign-in. Reload the page and send the form again.'));
  };
}
