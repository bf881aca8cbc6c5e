import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { SnekError, type SnekConfig } from '@snek/core';

/** SHA-256 digests of the tokens that may write. We keep digests, never the tokens. */
export type TokenDigests = readonly Buffer[];

export function digestToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Collects write tokens from SNEK_ADMIN_TOKEN and `server.auth` (a SHA-256, or an env variable's name). */
export function writeTokenDigests(auth: SnekConfig['server']['auth'], env: NodeJS.ProcessEnv): Buffer[] {
  const digests: Buffer[] = [];
  if (env['SNEK_ADMIN_TOKEN']) digests.push(digestToken(env['SNEK_ADMIN_TOKEN']));
  if (auth.tokenSha256) digests.push(Buffer.from(auth.tokenSha256, 'hex'));
  if (auth.tokenEnv) {
    const token = env[auth.tokenEnv];
    if (!token) throw new SnekError('CONFIG_INVALID', `server.auth.tokenEnv names ${auth.tokenEnv}, which is not set. Export ${auth.tokenEnv} before starting the server, or remove the key.`);
    digests.push(digestToken(token));
  }
  return digests;
}

/** Lets a request through only with a bearer token whose digest is known; compares in constant time. */
export function requireWriteToken(digests: TokenDigests): RequestHandler {
  return (req, _res, next) => {
    if (digests.length === 0) {
      return next(new SnekError('FORBIDDEN', 'Writes are disabled: this server has no write token. Start it with SNEK_ADMIN_TOKEN set, or set server.auth.tokenSha256 in .snekrc.'));
    }
    const match = /^Bearer ([^\s]+)$/i.exec(req.get('authorization') ?? '');
    if (!match) return next(new SnekError('UNAUTHORIZED', 'This request needs a bearer token. Pass --token, or set SNEK_TOKEN or client.token in .snekrc.'));
    const presented = digestToken(match[1]!);
    if (!digests.some((digest) => timingSafeEqual(digest, presented))) {
      return next(new SnekError('UNAUTHORIZED', 'The bearer token is not valid on this server. Check --token, SNEK_TOKEN or client.token.'));
    }
    next();
  };
}
