import type { RequestHandler } from 'express';
import { SnekError } from '@snek/core';
import { originOf, type WebContext } from './web-context.js';

/**
 * A form post must come from this server's own pages. SameSite=Strict keeps the cookie from being *sent* across
 * sites, but does not stop a page elsewhere from posting a form that sets or clears it (login CSRF). Browsers say
 * where a request started in Sec-Fetch-Site, and older ones in Origin; a client that sends neither is no browser.
 */
export function sameOriginOnly(context: WebContext): RequestHandler {
  return (req, _res, next) => {
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    const foreign = site !== undefined ? site !== 'same-origin' && site !== 'none' : origin !== undefined && origin !== originOf(req, context);
    if (!foreign) return next();
    next(new SnekError('FORBIDDEN', `This form can only be sent from ${originOf(req, context)}'s own pages. Open ${originOf(req, context)}${req.path} and send it from there.`));
  };
}
