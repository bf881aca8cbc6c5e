import { parseCookie } from 'cookie';
import type { CookieOptions, Request } from 'express';
import { cameOverHttps, type HttpsPolicy } from '../https-request.js';

/** A cookie of the sign-in's: `__Host-<base>` and Secure over https, so no sibling host or plain page can plant it. */
export interface BrowserCookie {
  name(req: Request): string;
  options(req: Request): CookieOptions;
  /** Its value in the request, if sent. */
  read(req: Request): string | undefined;
}

export function browserCookie(base: string, sameSite: 'strict' | 'lax', trustProxy: HttpsPolicy): BrowserCookie {
  const name = (req: Request) => (cameOverHttps(req, trustProxy) ? `__Host-${base}` : base);
  return {
    name,
    options: (req) => ({ httpOnly: true, sameSite, secure: cameOverHttps(req, trustProxy), path: '/' }),
    read: (req) => (req.headers.cookie ? parseCookie(req.headers.cookie)[name(req)] : undefined),
  };
}
