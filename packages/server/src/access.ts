import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { SCOPES, SnekError, type Scope, type SnekConfig } from '@snek/core';
import { readSession } from './session-cookie.js';
import { sessionKeys, type SessionKeys } from './sessions.js';

/** A token the server accepts, known only by its SHA-256; the token itself is never kept. */
export interface AccessToken {
  name: string;
  digest: Buffer;
  scopes: ReadonlySet<Scope>;
}

export interface AccessPolicy {
  tokens: readonly AccessToken[];
  /** "public": anyone may read. "token": reads need the read scope. */
  read: 'public' | 'token';
  /** The keys of the gallery's session cookies (server.auth.sessionKeysEnv). */
  sessions: SessionKeys;
  /** Believe X-Forwarded-Proto when choosing the session cookie's name; createApp sets it from its trustProxy. */
  trustProxy?: boolean;
}

export function digestToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The tokens from SNEK_ADMIN_TOKEN and `server.auth`, each with its scopes. */
export function accessPolicy(auth: SnekConfig['server']['auth'], env: NodeJS.ProcessEnv): AccessPolicy {
  const all = new Set<Scope>(SCOPES);
  const fromEnv = (variable: string, key: string) => {
    const token = env[variable];
    if (!token) throw new SnekError('CONFIG_INVALID', `${key} names ${variable}, which is not set. Export ${variable} before starting the server, or remove the key.`);
    return digestToken(token);
  };
  const tokens: AccessToken[] = [];
  if (env['SNEK_ADMIN_TOKEN']) tokens.push({ name: 'SNEK_ADMIN_TOKEN', digest: digestToken(env['SNEK_ADMIN_TOKEN']), scopes: all });
  if (auth.tokenSha256) tokens.push({ name: 'server.auth.tokenSha256', digest: Buffer.from(auth.tokenSha256, 'hex'), scopes: all });
  if (auth.tokenEnv) tokens.push({ name: auth.tokenEnv, digest: fromEnv(auth.tokenEnv, 'server.auth.tokenEnv'), scopes: all });
  for (const [i, token] of (auth.tokens ?? []).entries()) {
    const digest = token.sha256 ? Buffer.from(token.sha256, 'hex') : fromEnv(token.env!, `server.auth.tokens[${i}].env`);
    tokens.push({ name: token.name, digest, scopes: new Set(token.scopes) });
  }
  return { tokens, read: auth.read ?? 'public', sessions: sessionKeys(auth, env) };
}

/** What authorised a request: a token, or a session with the scopes its token had at sign-in. */
interface Credential {
  name: string;
  scopes: ReadonlySet<Scope>;
}

/** The token in an Authorization header, compared in constant time: null if it is malformed or unknown. */
function bearerToken(header: string, policy: AccessPolicy): AccessToken | null {
  const match = /^Bearer ([\x21-\x7e]{1,1024})$/i.exec(header);
  return match ? findToken(policy, match[1]!) : null;
}

/**
 * The session cookie's credential, for reads only: a browser sends the cookie on its own, so a page elsewhere
 * could otherwise make it write. A tampered, foreign or expired cookie counts as none: the browser signs in again.
 */
async function sessionCredential(req: Request, res: Response, policy: AccessPolicy): Promise<Credential | undefined> {
  const session = await readSession(req, res, policy.sessions, policy.trustProxy ?? false);
  return session ? { name: session.person.name ?? session.person.sub, scopes: session.scopes } : undefined;
}

/** The known token equal to `presented`, or null; compared in constant time. */
export function findToken(policy: AccessPolicy, presented: string): AccessToken | null {
  if (presented.length > 1024) return null;
  const digest = digestToken(presented);
  let found: AccessToken | null = null;
  // No early exit: the time taken does not tell which token, if any, matched.
  for (const token of policy.tokens) if (timingSafeEqual(token.digest, digest)) found = token;
  return found;
}

/** Whether the request presents a known token with `scope` (a session cookie counts for read). */
export async function presentsScope(req: Request, res: Response, policy: AccessPolicy, scope: Scope): Promise<boolean> {
  const header = req.get('authorization');
  const credential = header !== undefined ? bearerToken(header, policy) : scope === 'read' ? await sessionCredential(req, res, policy) : undefined;
  return credential?.scopes.has(scope) ?? false;
}

// RFC 6750: every 401 names the scheme; a token we do not know is an invalid_token.
const CHALLENGE = 'Bearer realm="snek"';
const INVALID_TOKEN = 'Bearer realm="snek", error="invalid_token"';

/**
 * Lets the request through only with a token that has `scope` (reads pass freely on a public server). On a
 * private server every answer depends on the credentials sent, so it varies on them, and one that a token or a
 * cookie let through is private: a shared cache must never hand it to someone else.
 */
export function requireScope(policy: AccessPolicy, scope: Scope): RequestHandler {
  const nobodyHasScope = !policy.tokens.some((token) => token.scopes.has(scope));
  const isPrivate = policy.read === 'token';
  return (req, res, next) => {
    if (scope === 'read' && !isPrivate) return next();
    if (isPrivate) res.vary('Authorization').vary('Cookie');
    if (scope === 'write' && nobodyHasScope) {
      return next(new SnekError('FORBIDDEN', 'Writes are disabled: this server has no token with the write scope. Start it with SNEK_ADMIN_TOKEN set, or add a token with scopes [write] under server.auth.tokens in .snekrc.'));
    }
    const decide = (token: Credential | null | undefined) => {
      if (!token) res.setHeader('WWW-Authenticate', token === null ? INVALID_TOKEN : CHALLENGE);
      if (token === undefined) return next(new SnekError('UNAUTHORIZED', `This request needs a bearer token with the ${scope} scope. Pass --token, or set SNEK_TOKEN or client.token in .snekrc.`, { details: { scope } }));
      if (token === null) return next(new SnekError('UNAUTHORIZED', 'The bearer token is not valid on this server. Check --token, SNEK_TOKEN or client.token.', { details: { scope } }));
      res.locals.tokenName = token.name;
      if (!token.scopes.has(scope)) {
        return next(new SnekError('FORBIDDEN', `The token "${token.name}" has the scopes ${[...token.scopes].join(', ')}, but this request needs ${scope}. Ask the server's admin for a token with ${scope}.`, { details: { scope, token: token.name } }));
      }
      if (isPrivate) res.setHeader('Cache-Control', 'private');
      next();
    };
    const header = req.get('authorization');
    // A bearer header is decided at once; only a session cookie needs decrypting, and only for reads.
    if (header !== undefined) return decide(bearerToken(header, policy));
    if (scope !== 'read') return decide(undefined);
    sessionCredential(req, res, policy).then(decide, next);
  };
}
