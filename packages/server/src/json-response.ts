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
 * Sends JSON straight to node:http: express's res.json would stringify, hash and check freshness all
 * again. The body is encoded once; its length (and ETag) come from those bytes.
 */
export function sendJson(res: Response, value: unknown, status = 200): void {
  writeJson(res, Buffer.from(JSON.stringify(value)), status);
}

/** Sends JSON already encoded, 200: its ETag, if any, is set already (see answeredNotModified). */
export function sendJsonBytes(res: Response, body: Buffer): void {
  writeJson(res, body, 200);
}

/**
 * Sends a snek with a strong ETag, or 304 when If-None-Match already has it. We evaluate the condition
 * ourselves because express skips it when the request says `Cache-Control: no-cache`, which fetch()
 * adds to every conditional request; RFC 9110 has the origin evaluate it regardless. Lists carry no
 * ETag (hashing a 30 KB page cost it 10% of its speed), except the small page of one name, which the
 * CLI's cache revalidates. A snek's answer passes `etag`: the tag of the snek alone (see {@link snekEtag}), so that
 * its `updatedAt` and `updatedBy` do not change what If-Match compares.
 */
export function sendJsonWithEtag(req: Request, res: Response, value: unknown, etag?: string): void {
  const body = Buffer.from(JSON.stringify(value));
  if (answeredNotModified(req, res, etag ?? etagOfBody(body))) return;
  writeJson(res, body, 200);
}

/** Sets the ETag, and answers 304 when If-None-Match already has it: then true, and the body need not be made. */
export function answeredNotModified(req: Request, res: Response, etag: string): boolean {
  res.setHeader('ETag', etag);
  const ifNoneMatch = req.headers['if-none-match'];
  if (!ifNoneMatch || !matches(ifNoneMatch, etag)) return false;
  res.statusCode = 304;
  res.end();
  return true;
}

/** The strong ETag of `value` as sendJsonWithEtag sends it: what If-Match on a PUT or DELETE is compared with. */
export function etagOf(value: unknown): string {
  return etagOfBody(JSON.stringify(value));
}

/**
 * The ETag of a snek: of `{id, name, type, content}` alone, in that order, whatever else its answer carries. Every
 * snek's tag is made here (GET, writes, preconditions, the editor), so a rewrite of the same snek keeps its tag.
 */
export function snekEtag(snek: { id: string; name: string; type: string; content: string }): string {
  const known = recentEtags.get(snek.id);
  // Strings compare by pointer first: a cached snek's copy shares its strings, so a hit costs no hashing.
  if (known && known.content === snek.content && known.name === snek.name && known.type === snek.type) return known.etag;
  const etag = etagOf({ id: snek.id, name: snek.name, type: snek.type, content: snek.content });
  if (recentEtags.size >= RECENT_ETAGS) recentEtags.clear();
  recentEtags.set(snek.id, { name: snek.name, type: snek.type, content: snek.content, etag });
  return etag;
}

// The tags of the sneks served lately, by id: GET one snek hashes its snek alone on every answer (about 4% of it).
// Cleared whole when full: simpler than an LRU, and a miss only costs the hash.
const RECENT_ETAGS = 1024;
const recentEtags = new Map<string, { name: string; type: string; content: string; etag: string }>();

/** Sends `value` with its ETag (or `etag`) and no freshness check: the answer to a write. */
export function sendJsonTagged(res: Response, value: unknown, status: number, etag?: string): void {
  const body = Buffer.from(JSON.stringify(value));
  res.setHeader('ETag', etag ?? etagOfBody(body));
  writeJson(res, body, status);
}

// SHA-256 has hardware support on current x86 and ARM: faster here than SHA-1 or MD5.
function etagOfBody(body: Buffer | string): string {
  return `"${hash('sha256', body, 'base64url').slice(0, 27)}"`;
}

function writeJson(res: Response, body: Buffer, status: number): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  // Set here, not left to node:http, so a HEAD response carries the length its GET would have.
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
