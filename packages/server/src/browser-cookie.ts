import { parseCookie } from 'cookie';
import type { CookieOptions, Request } from 'express';
import { cameOverHttps, type HttpsPolicy } from './https-request.js';

/**
 * A cookie of the gallery's: over https `__Host-<base>` and Secure, so the browser takes it only with Path=/ and
 * no Domain, and neither a sibling subdomain nor a plain-http page can plant one; over http it cannot be, so it
 * is plain `<base>`. Always HttpOnly: no script can read it.
 */
export interface BrowserCookie {
  name(req: Request, https: HttpsPolicy): string;
  options(req: Request, https: HttpsPolicy): CookieOptions;
  /** Its value in the request, if sent. */
  read(req: Request, https: HttpsPolicy): string | undefined;
}

export function browserCookie(base: string, sameSite: 'strict' | 'lax'): BrowserCookie {
  const name = (req: Request, https: HttpsPolicy) => (cameOverHttps(req, https) ? `__Host-${base}` : base);
  return {
    name,
    options: (req, https) => ({ httpOnly: true, sameSite, secure: cameOverHttps(req, https), path: '/' }),
    read: (req, https) => (req.headers.cookie ? parseCookie(req.headers.cookie)[name(req, https)] : undefined),
  };
}
