import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

/**
 * Sends JSON with a strong ETag, or 304 when If-None-Match already has it. We evaluate the
 * condition ourselves because express skips it when the request says `Cache-Control: no-cache`,
 * which fetch() adds to every conditional request; RFC 9110 has the origin evaluate it regardless.
 */
export function sendJsonWithEtag(req: Request, res: Response, value: unknown): void {
  const body = JSON.stringify(value);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  res.setHeader('ETag', etag);
  const ifNoneMatch = req.get('if-none-match');
  if (ifNoneMatch && (ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag))) {
    res.status(304).end();
    return;
  }
  res.type('json').send(body);
}
