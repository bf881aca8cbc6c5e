import type { ErrorRequestHandler, RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import type { HttpsPolicy } from '../https-request.js';
import { SnekError, type SnekStore } from '@snek/core';
import { requireScope, type AccessPolicy } from '../access.js';
import { statusForCode, toSnekError } from '../problem.js';
import type { RateLimits } from '../rate-limits.js';
import { areaRouter, type AreaGuard } from '../routes/area-router.js';
import { requireCsrf } from './csrf.js';
import { formBody } from './editor-form.js';
import { EDITOR_PATHS, editorRoutes } from './editor-routes.js';
import { galleryRoutes } from './gallery-routes.js';
import { historyRoutes, RESTORE_PATH } from './history-routes.js';
import { sameOriginOnly } from './same-origin.js';
import { requireSignInCsrf, signInFormBody } from './sign-in-form.js';
import { offersSignIn, signInRoutes } from './sign-in-routes.js';
import { staticAssets } from './static-assets.js';
import { compilePages } from './templates.js';
import { originOf, sendWebError, wantsHtml, type WebContext } from './web-context.js';
import { openSession, requireWriteSession } from './write-session.js';

export interface WebRouterOptions {
  store: SnekStore;
  access: AccessPolicy;
  /** Believe X-Forwarded-Proto when deciding whether the sign-in cookie is Secure. */
  trustProxy: HttpsPolicy;
  /** server.publicUrl, for sign-in callbacks. */
  publicUrl?: string | undefined;
  limits?: RateLimits | undefined;
  logger: Logger;
}

// Open on a private server too: the page's assets and the sign-in forms are how a browser gets in.
const OPEN_PATHS = new Set(['/assets/:file', '/signin', '/signin/:provider', '/signin/:provider/callback', '/signout']);
const EDITOR = new Set<string>(EDITOR_PATHS);

/**
 * The same read check as the API. Without a token a browser is sent to the sign-in form, and curl gets one
 * line of text saying what to send.
 */
function webReadGuard(access: AccessPolicy, context: WebContext): RequestHandler {
  const canRead = requireScope(access, 'read');
  return (req, res, next) =>
    canRead(req, res, (error?: unknown) => {
      if (!error) return next();
      if (wantsHtml(req)) {
        res.removeHeader('WWW-Authenticate');
        return res.redirect(303, '/signin');
      }
      if (SnekError.is(error) && error.code === 'UNAUTHORIZED') {
        const how = `curl -H "Authorization: Bearer $SNEK_TOKEN" ${originOf(req, context)}${req.path}`;
        return void res.status(401).type('text/plain').send(`${error.message.split('.')[0]}. This server is private: send a token with the read scope, e.g. ${how}\n`);
      }
      sendWebError(req, res, context, toSnekError(error), true);
    });
}

/** Errors as people read them: a page for a browser and for the gallery, one line of text for curl. */
function webErrorHandler(context: WebContext, logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const snekError = toSnekError(error);
    if (statusForCode(snekError.code) >= 500) logger.error({ reqId: res.locals.requestId, err: snekError.cause ?? error }, snekError.message);
    if (res.headersSent) return res.end();
    sendWebError(req, res, context, snekError, req.path !== '/' && !wantsHtml(req));
  };
}

const noSuchForm: RequestHandler = (_req, _res, next) => next(new SnekError('FORBIDDEN', 'The gallery takes no such form. Send it from the page that has it.'));

/** The snek gallery for browsers, and plain-text sneks for curl. */
export function webRouter(options: WebRouterOptions): Router {
  const assets = staticAssets();
  const partial = { render: compilePages(assets.urls), access: options.access, trustProxy: options.trustProxy, publicUrl: options.publicUrl };
  const context: WebContext = { ...partial, offersSignIn: offersSignIn(partial) };
  const session = openSession(context);
  const canRead = options.access.read === 'token' ? [webReadGuard(options.access, context)] : [];
  const writeSession = requireWriteSession(context);
  // The editor's pages need a session that may write. Its posts need, in this order, a same-origin browser, that
  // session (so a reader's body is never read; one with no session is, only to show back what was typed), a small
  // urlencoded form, and the session's CSRF token in it. A cookie alone never writes.
  const editorPage = [writeSession];
  const editorPost = [sameOriginOnly(context), writeSession, formBody, requireCsrf(context)];
  const readPage = [...canRead, session];
  // Sign-in posts: same origin, a small form, and the CSRF token of the sign-in form's nonce (login CSRF);
  // sign-out acts for a session, so it needs the session's.
  const sameOrigin = sameOriginOnly(context);
  const signInPost = [session, sameOrigin, signInFormBody, requireSignInCsrf(context)];
  const signOutPost = [session, sameOrigin, signInFormBody, requireCsrf(context)];
  const guard: AreaGuard = ({ method, path }) => {
    if (method !== 'get') {
      if (path === '/signin' || path === '/signin/:provider') return signInPost;
      if (path === '/signout') return signOutPost;
      // The restore button writes as the editor does, with the same checks.
      if (EDITOR.has(path) || path === RESTORE_PATH) return editorPost;
      // A post this guard has no rule for is refused, whatever a route file registers.
      return [noSuchForm];
    }
    // The sign-in pages open the session too, to show who is signed in; it decides nothing.
    if (OPEN_PATHS.has(path)) return path === '/assets/:file' ? [] : [session];
    if (EDITOR.has(path)) return editorPage;
    return readPage;
  };
  const routes = areaRouter(guard, options.limits);
  assets.routes(routes);
  signInRoutes(routes, context);
  galleryRoutes(routes, options.store, context);
  editorRoutes(routes, options.store, context);
  historyRoutes(routes, options.store, context);
  return routes.seal(webErrorHandler(context, options.logger));
}
