import type { Request, RequestHandler, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { cameOverHttps, type HttpsPolicy } from './https-request.js';

/** Runs helmet once against a recorder and keeps the headers it sets. */
function recordHelmetHeaders(options?: HelmetOptions): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.push([name, String(value)]),
    removeHeader: () => {},
  };
  let done = false;
  helmet(options)({} as Request, recorder as unknown as Response, (error?: unknown) => {
    if (error) throw error;
    done = true;
  });
  // helmet runs synchronously today; if a future version does not, fail at start-up rather than send no headers.
  if (!done || headers.length === 0) throw new Error('helmet did not set its headers synchronously; securityHeaders() needs updating');
  return headers;
}

/**
 * Not helmet's no-referrer: under it a browser sends `Origin: null` with a form post, and over plain http (an
 * intranet host by name) it sends no Sec-Fetch-Site either, so the same-origin check of every form would refuse the
 * server's own pages. same-origin still sends no Referer to any other site.
 */
const REFERRER_POLICY = { policy: 'same-origin' } as const;

/**
 * helmet's headers, worked out once at start-up and replayed on every response. Its defaults never depend
 * on the request, and running its dozen middlewares per request cost a cheap GET about 10% of its speed.
 * One exception: `upgrade-insecure-requests` goes only with https. On a plain-http server reached by a name
 * (http://snek.corp:8000) it makes browsers fetch the page's own CSS and script over https, which fails.
 */
export function securityHeaders(options: { trustProxy?: HttpsPolicy } = {}): RequestHandler {
  const overHttps = recordHelmetHeaders({ referrerPolicy: REFERRER_POLICY });
  const overHttp = recordHelmetHeaders({ referrerPolicy: REFERRER_POLICY, contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  const trustProxy = options.trustProxy ?? false;
  return (req, res, next) => {
    for (const [name, value] of cameOverHttps(req, trustProxy) ? overHttps : overHttp) res.setHeader(name, value);
    next();
  };
}
