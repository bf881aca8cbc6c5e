import { hash } from 'node:crypto';
import type { Request, Response } from 'express';

/** Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for GET). */
function matches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  for (const tag of ifNoneMatch.split(',')) {
    const trimmed = tag.trim();
    if ((trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed) === etag) return true;
  }
  return false;
}

/**
 * Sends JSON with a strong ETag, or 304 to a GET whose If-None-Match already has it. We evaluate the
 * condition ourselves because express skips it when the request says `Cache-Control: no-cache`, which
 * fetch() adds to every conditional request; RFC 9110 has the origin evaluate it regardless. The body
 * goes straight to node:http: express's res.json would stringify, hash and check freshness all again.
 */
export function sendJson(req: Request, res: Response, value: unknown, status = 200): void {
  const body = JSON.stringify(value);
  // SHA-256 has hardware support on current x86 and ARM: faster here than SHA-1 or MD5.
  const etag = `"${hash('sha256', body, 'base64url').slice(0, 27)}"`;
  res.setHeader('ETag', etag);
  const ifNoneMatch = req.headers['if-none-match'];
  if (status === 200 && ifNoneMatch && (req.method === 'GET' || req.method === 'HEAD') && matches(ifNoneMatch, etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  // Set here, not left to node:http, so a HEAD response carries the length its GET would have.
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
