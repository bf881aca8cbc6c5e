import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { SCOPES, SnekError, type Actor, type AuthRequest, type LoadedAuthProvider, type Scope, type SignedIn, type SnekConfig } from '@snek/core';
import { actorOfPerson, actorOfSession, actorOfToken } from './actor.js';
import type { HttpsPolicy } from './https-request.js';
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
  /** The sign-in providers of `server.auth.signIn`, in order. */
  providers: readonly LoadedAuthProvider[];
  /** Believe X-Forwarded-Proto when choosing the session cookie's name; createApp sets it from its trustProxy. */
  trustProxy?: HttpsPolicy;
}

export function digestToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The tokens from SNEK_ADMIN_TOKEN and `server.auth`, each with its scopes. */
export function accessPolicy(auth: SnekConfig['server']['auth'], env: NodeJS.ProcessEnv, providers: readonly LoadedAuthProvider[] = []): AccessPolicy {
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
  return { tokens, read: auth.read ?? 'public', sessions: sessionKeys(auth, env), providers };
}

/** What authorised a request: a token, a provider's JWT, a session, or a trusted proxy's word, with its scopes. */
export interface Credential {
  name: string;
  scopes: ReadonlySet<Scope>;
  actor: Actor;
}

/** How a request is identified: a credential, nothing presented (undefined), or a refusal to answer with. */
type Identified = Credential | undefined | SnekError;

const BEARER = /^Bearer ([\x21-\x7e]{1,4096})$/i;

function tokenCredential(token: AccessToken): Credential {
  return { name: token.name, scopes: token.scopes, actor: actorOfToken(token.name) };
}

function signedInCredential(signedIn: SignedIn, via: string): Credential {
  const person = { sub: signedIn.person.sub, name: signedIn.person.name, email: signedIn.person.email, via };
  return { name: signedIn.person.email ?? signedIn.person.name ?? signedIn.person.sub, scopes: new Set(signedIn.scopes), actor: actorOfPerson(person) };
}

function invalidBearer(): SnekError {
  return new SnekError('UNAUTHORIZED', 'The bearer token is not valid on this server. Check --token, SNEK_TOKEN or client.token, or run snek login again.');
}

/**
 * The credential of an Authorization header: a configured token, decided at once and in constant time, else the
 * first sign-in provider that owns it (a JWT, an API key). Only a token the config does not know is awaited.
 */
function bearerCredential(header: string, policy: AccessPolicy): Identified | Promise<Identified> {
  const match = BEARER.exec(header);
  if (!match) return invalidBearer();
  const token = findToken(policy, match[1]!);
  if (token) return tokenCredential(token);
  const verifiers = policy.providers.filter((entry) => entry.provider.verifyBearer);
  if (!verifiers.length) return invalidBearer();
  return (async () => {
    // Every provider is asked until one takes the token: one that refuses it (two entries on one issuer, with
    // other audiences) or is down must not stop another from taking its own. The first refusal is the answer.
    let refusal: SnekError | undefined;
    for (const entry of verifiers) {
      try {
        const signedIn = await entry.provider.verifyBearer!(match[1]!);
        if (signedIn) return signedInCredential(signedIn, entry.name);
      } catch (error) {
        // By code, not class: a provider without @snek/core of its own may throw a plain Error with the code.
        const code = (error as { code?: unknown } | null)?.code;
        if (code === 'AUTH_TOKEN_INVALID') refusal ??= new SnekError('UNAUTHORIZED', `${(error as Error).message} Run snek login again, or send another token.`, { details: { provider: entry.name } });
        // A provider's own words about why it failed may name hosts inside the network: the log has them, not the client.
        else refusal ??= new SnekError('AUTH_UNAVAILABLE', `The sign-in provider "${entry.name}" could not check the token. Try again shortly; the server's log has why.`, { cause: error, details: { provider: entry.name } });
      }
    }
    return refusal ?? invalidBearer();
  })();
}

/**
 * What a browser sends on its own: the session cookie, else a trusted proxy's headers. Both count for reads
 * only: a page elsewhere could make the browser send them. A tampered, foreign or expired cookie counts as none.
 */
async function ambientCredential(req: Request, res: Response, policy: AccessPolicy): Promise<Credential | undefined> {
  const session = await readSession(req, res, policy.sessions, policy.trustProxy ?? false);
  if (session) return { name: session.person.email ?? session.person.name ?? session.person.sub, scopes: session.scopes, actor: actorOfSession(session) };
  for (const entry of policy.providers) {
    if (!entry.provider.fromRequest) continue;
    const signedIn = await entry.provider.fromRequest(authRequestOf(req));
    if (signedIn && signedIn.scopes.length) return signedInCredential(signedIn, entry.name);
  }
  return undefined;
}

/** The request as a sign-in provider sees it: the TCP peer, never a forwarded address, and its headers. */
export function authRequestOf(req: Request): AuthRequest {
  return {
    remoteAddress: req.socket.remoteAddress,
    // Node joins a repeated header into one; a proxy that adds its own instead of replacing the client's would
    // then pass the client's along, so a header sent twice is not believed at all.
    header: (name) => {
      const values = req.headersDistinct[name.toLowerCase()];
      return values?.length === 1 ? values[0] : undefined;
    },
  };
}

/** Who the request is from, as `scope` allows: the bearer if one is sent, else (for reads) what the browser sends. */
export function identify(req: Request, res: Response, policy: AccessPolicy, scope: Scope): Identified | Promise<Identified> {
  const header = req.get('authorization');
  if (header !== undefined) return bearerCredential(header, policy);
  return scope === 'read' ? ambientCredential(req, res, policy) : undefined;
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

/** Whether the request presents a credential with `scope` (a session cookie counts for read). */
export async function presentsScope(req: Request, res: Response, policy: AccessPolicy, scope: Scope): Promise<boolean> {
  const credential = await identify(req, res, policy, scope);
  return credential !== undefined && !SnekError.is(credential) && credential.scopes.has(scope);
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
  const nobodyHasScope = !policy.tokens.some((token) => token.scopes.has(scope)) && !policy.providers.some((entry) => entry.provider.verifyBearer);
  const isPrivate = policy.read === 'token';
  return (req, res, next) => {
    if (scope === 'read' && !isPrivate) return next();
    if (isPrivate) res.vary('Authorization').vary('Cookie');
    if (scope === 'write' && nobodyHasScope) {
      return next(new SnekError('FORBIDDEN', 'Writes are disabled: this server has no token with the write scope. Start it with SNEK_ADMIN_TOKEN set, or add a token with scopes [write] under server.auth.tokens in .snekrc.'));
    }
    const decide = (found: Identified) => {
      if (found === undefined) {
        res.setHeader('WWW-Authenticate', CHALLENGE);
        return next(new SnekError('UNAUTHORIZED', `This request needs a bearer token with the ${scope} scope. Pass --token, set SNEK_TOKEN or client.token in .snekrc, or run snek login.`, { details: { scope } }));
      }
      if (SnekError.is(found)) {
        if (found.code === 'UNAUTHORIZED') res.setHeader('WWW-Authenticate', INVALID_TOKEN);
        return next(found.details?.['scope'] === undefined && found.code === 'UNAUTHORIZED' ? new SnekError(found.code, found.message, { details: { ...found.details, scope } }) : found);
      }
      res.locals.actor = found.actor;
      if (!found.scopes.has(scope)) {
        const has = found.scopes.size ? `has the scopes ${[...found.scopes].join(', ')}` : 'has no scope';
        return next(new SnekError('FORBIDDEN', `"${found.name}" ${has}, but this request needs ${scope}. Ask the server's admin for ${scope}.`, { details: { scope, token: found.name } }));
      }
      if (isPrivate) res.setHeader('Cache-Control', 'private');
      next();
    };
    const found = identify(req, res, policy, scope);
    // A configured token is decided at once; only a cookie, a proxy's word or a JWT needs awaiting.
    if (found instanceof Promise) found.then(decide, next);
    else decide(found);
  };
}
