import type { Request } from 'express';

/** Whether the request came over https, directly or (only when trusted, server.trustProxy) through a proxy that says so. */
export function cameOverHttps(req: Request, trustProxy: boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  return trustProxy && req.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}
