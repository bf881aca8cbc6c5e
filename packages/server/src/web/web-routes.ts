import type { IRouter, RequestHandler } from 'express';
import { SnekError, type SnekStore } from '@snek/core';
import { requireScope, type AccessPolicy } from '../access.js';
import { galleryRoutes } from './gallery-routes.js';
import { signInRoutes } from './sign-in-routes.js';
import { staticAssets } from './static-assets.js';
import { compilePages } from './templates.js';
import { originOf, sendWebError, wantsHtml, type WebContext } from './web-context.js';

export interface WebRoutesOptions {
  store: SnekStore;
  access: AccessPolicy;
  /** Believe X-Forwarded-Proto when deciding whether the sign-in cookie is Secure. */
  trustProxy: boolean;
}

/**
 * The same read check as the API. Without a token a browser is sent to the sign-in form, and curl gets one
 * line of text saying what to send.
 */
function webReadGuard(access: AccessPolicy, context: WebContext): RequestHandler {
  const canRead = requireScope(access, 'read');
  return (req, res, next) =>
    canRead(req, res, (error?: unknown) => {
      if (!error) return next();
      if (wantsHtml(req)) return res.redirect(303, '/signin');
      if (SnekError.is(error) && error.code === 'UNAUTHORIZED') {
        const how = `curl -H "Authorization: Bearer $SNEK_TOKEN" ${originOf(req, context)}${req.path}`;
        return void res.status(401).type('text/plain').send(`${error.message.split('.')[0]}. This server is private: send a token with the read scope, e.g. ${how}\n`);
      }
      if (!sendWebError(req, res, context, error, true)) next(error);
    });
}

/**
 * The snek gallery for browsers, and plain-text sneks for curl. Mounted before the API's read guard: the
 * assets and the sign-in form must load without a token, and the pages answer a missing token themselves.
 */
export function webRoutes(router: IRouter, options: WebRoutesOptions): void {
  const assets = staticAssets();
  const context: WebContext = { render: compilePages(assets.urls), access: options.access, trustProxy: options.trustProxy };
  assets.routes(router);
  signInRoutes(router, context);
  galleryRoutes(router, options.store, webReadGuard(options.access, context), context);
}
