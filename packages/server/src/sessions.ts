import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { EncryptJWT, errors, jwtDecrypt, type JWTPayload } from 'jose';
import { DEFAULT_SESSION_HOURS, SCOPES, SnekError, type Scope, type SnekConfig } from '@snek/core';

/** Who a session is for. A token's session is `token:<name>`; a sign-in provider gives its own subject. */
export interface Person {
  sub: string;
  name?: string | undefined;
  email?: string | undefined;
  /** The sign-in provider's entry name; absent for a token's session. */
  via?: string | undefined;
}

/** A signed-in browser: the person, the scopes they had at sign-in, and when it ends. */
export interface Session {
  /** Random, per sign-in: the CSRF token is bound to it. */
  sid: string;
  person: Person;
  scopes: ReadonlySet<Scope>;
  expiresAt: Date;
}

/** Seals sessions into cookie values and opens them again; the keys never leave this object. */
export interface SessionKeys {
  /** The environment variable the keys came from; undefined when they are random, made at start. */
  readonly sourceEnv: string | undefined;
  readonly hours: number;
  seal(person: Person, scopes: Iterable<Scope>): Promise<{ value: string; session: Session }>;
  /** The session in a cookie value, or null if it is tampered, sealed with another key, or expired. */
  open(value: string): Promise<Session | null>;
  /** The CSRF token a form of this session (or of a sign-in form's nonce) carries: an HMAC of its sid. */
  csrfToken(session: Pick<Session, 'sid'>): string;
  checksCsrf(session: Pick<Session, 'sid'>, presented: unknown): boolean;
  /** Seals what a redirect sign-in needs at its callback, bound to the provider, for `minutes`. */
  sealPending(provider: string, pending: string, minutes: number): Promise<string>;
  /** The pending sign-in in a cookie value, or null if it is tampered, for another provider, or expired. */
  openPending(provider: string, value: string): Promise<string | null>;
}

// A sealed session is a few hundred bytes; anything much larger is not one, and is not worth decrypting.
const MAX_SEALED_LENGTH = 4096;
const MIN_KEY_LENGTH = 32;
const DECRYPT = { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'], requiredClaims: ['sub', 'jti', 'exp'] };

interface DerivedKey {
  encryption: Uint8Array;
  csrf: Buffer;
}

// One secret, two keys: HKDF keeps the cookie's encryption key apart from the CSRF HMAC's.
function derive(secret: Buffer): DerivedKey {
  const key = (info: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
  return { encryption: new Uint8Array(key('snek session A256GCM v1')), csrf: key('snek session csrf v1') };
}

/** The secrets in `server.auth.sessionKeysEnv`, else one random secret for this process alone. */
function sessionSecrets(auth: SnekConfig['server']['auth'], env: NodeJS.ProcessEnv): Buffer[] {
  const variable = auth.sessionKeysEnv;
  if (variable === undefined) return [randomBytes(32)];
  const keys = (env[variable] ?? '').split(/[\s,]+/).filter(Boolean);
  const howTo = `Export ${variable} with one or more keys of at least ${MIN_KEY_LENGTH} characters, separated by commas (make one with: openssl rand -base64 32), or remove server.auth.sessionKeysEnv.`;
  if (keys.length === 0) throw new SnekError('CONFIG_INVALID', `server.auth.sessionKeysEnv names ${variable}, which is not set or empty. ${howTo}`);
  const short = keys.findIndex((key) => key.length < MIN_KEY_LENGTH);
  if (short >= 0) throw new SnekError('CONFIG_INVALID', `Key ${short + 1} in ${variable} (server.auth.sessionKeysEnv) is shorter than ${MIN_KEY_LENGTH} characters. ${howTo}`);
  return keys.map((key) => Buffer.from(key, 'utf8'));
}

function toSession(payload: JWTPayload): Session | null {
  const { sub, jti, exp, name, email, via, scopes } = payload;
  if (typeof sub !== 'string' || typeof jti !== 'string' || typeof exp !== 'number' || !Array.isArray(scopes)) return null;
  const known = scopes.filter((scope): scope is Scope => (SCOPES as readonly unknown[]).includes(scope));
  const person: Person = { sub, ...(typeof name === 'string' ? { name } : {}), ...(typeof email === 'string' ? { email } : {}), ...(typeof via === 'string' ? { via } : {}) };
  return { sid: jti, person, scopes: new Set(known), expiresAt: new Date(exp * 1000) };
}

/**
 * The session keys from `server.auth`. A session is a JWT encrypted as a JWE with `dir` and A256GCM: AES-GCM
 * is authenticated, so the one operation both hides the session and proves the server made it; a JWS inside
 * would add nothing with a symmetric key. The first key seals; every key opens, so a new key can be put first
 * and the old one dropped once its sessions have expired.
 */
export function sessionKeys(auth: SnekConfig['server']['auth'], env: NodeJS.ProcessEnv): SessionKeys {
  const keys = sessionSecrets(auth, env).map(derive);
  const current = keys[0]!;
  const hours = auth.sessionHours ?? DEFAULT_SESSION_HOURS;
  const hmac = (key: DerivedKey, sid: string) => createHmac('sha256', key.csrf).update(sid, 'utf8').digest();
  return {
    sourceEnv: auth.sessionKeysEnv,
    hours,
    async seal(person, scopes) {
      const session: Session = { sid: randomBytes(16).toString('base64url'), person, scopes: new Set(scopes), expiresAt: new Date(Date.now() + hours * 3_600_000) };
      const value = await new EncryptJWT({ name: person.name, email: person.email, via: person.via, scopes: [...session.scopes] })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setSubject(person.sub)
        .setJti(session.sid)
        .setIssuedAt()
        .setExpirationTime(session.expiresAt)
        .encrypt(current.encryption);
      return { value, session };
    },
    async open(value) {
      if (value.length > MAX_SEALED_LENGTH) return null;
      for (const key of keys) {
        try {
          return toSession((await jwtDecrypt(value, key.encryption, DECRYPT)).payload);
        } catch (error) {
          // It opened, so it is ours, but it is over (or malformed): no other key will do better.
          if (error instanceof errors.JWTExpired || error instanceof errors.JWTClaimValidationFailed) return null;
        }
      }
      return null;
    },
    async sealPending(provider, pending, minutes) {
      return new EncryptJWT({ pending, provider })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setSubject(`pending:${provider}`)
        .setJti(randomBytes(16).toString('base64url'))
        .setExpirationTime(new Date(Date.now() + minutes * 60_000))
        .encrypt(current.encryption);
    },
    async openPending(provider, value) {
      if (value.length > MAX_SEALED_LENGTH) return null;
      for (const key of keys) {
        try {
          const { payload } = await jwtDecrypt(value, key.encryption, DECRYPT);
          // A session has no `pending`, and one provider's pending sign-in is no other's.
          return payload['provider'] === provider && payload.sub === `pending:${provider}` && typeof payload['pending'] === 'string' ? payload['pending'] : null;
        } catch (error) {
          if (error instanceof errors.JWTExpired || error instanceof errors.JWTClaimValidationFailed) return null;
        }
      }
      return null;
    },
    csrfToken: (session) => hmac(current, session.sid).toString('base64url'),
    checksCsrf(session, presented) {
      if (typeof presented !== 'string' || presented.length > 64) return false;
      const given = Buffer.from(presented, 'base64url');
      let ok = false;
      // Every key, no early exit: a page rendered before a rotation still signs out.
      for (const key of keys) {
        const expected = hmac(key, session.sid);
        if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
      }
      return ok;
    },
  };
}
