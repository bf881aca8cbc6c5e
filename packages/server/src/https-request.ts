import type { Request } from 'express';

/**
 * How to tell https: `true` believes X-Forwarded-Proto (server.trustProxy); `'always'` is for an https
 * server.publicUrl, where TLS ends in a proxy in front and every browser comes over https, whatever it says.
 */
export type HttpsPolicy = boolean | 'always';

/** Whether the request came over https, directly or (only when trusted, server.trustProxy) through a proxy that says so. */
export function cameOverHttps(req: Request, trustProxy: HttpsPolicy): boolean {
  if (trustProxy === 'always' || (req.socket as { encrypted?: boolean }).encrypted) return true;
  return trustProxy && req.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}
