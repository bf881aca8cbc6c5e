import type { Actor } from '@snek/core';

// The shapes of GET /v1/auth and GET /v1/whoami, checked before use, as snek-answers.ts does for sneks.

/** One way to sign in, as GET /v1/auth lists it: the provider's own fields (issuer, deviceClientId…) beside. */
export interface SignInMethod {
  name: string;
  displayName: string;
  [field: string]: unknown;
}

export interface AuthMethods {
  read: 'public' | 'token';
  tokens: boolean;
  signIn: SignInMethod[];
}


export interface WhoAmI {
  actor: Actor | null;
  scopes: string[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const optionalString = (value: unknown) => value === undefined || typeof value === 'string';

export function isAuthMethods(value: unknown): value is AuthMethods {
  if (!isObject(value)) return false;
  const { read, tokens, signIn } = value;
  return (read === 'public' || read === 'token') && typeof tokens === 'boolean' && Array.isArray(signIn) && signIn.every((m) => isObject(m) && typeof m['name'] === 'string' && typeof m['displayName'] === 'string');
}

export function isWhoAmI(value: unknown): value is WhoAmI {
  if (!isObject(value)) return false;
  const { actor, scopes } = value;
  const actorOk = actor === null || (isObject(actor) && (actor['kind'] === 'person' || actor['kind'] === 'token') && typeof actor['id'] === 'string' && optionalString(actor['name']) && optionalString(actor['email']) && optionalString(actor['via']));
  return actorOk && Array.isArray(scopes) && scopes.every((scope) => typeof scope === 'string');
}

/** The provider `snek login` uses: the one named, else the first that has a public client for devices. */
export function deviceMethod(methods: AuthMethods, named: string | undefined): { method: SignInMethod } | { problem: 'unknown' | 'no-device'; names: string[] } {
  const names = methods.signIn.map((method) => method.name);
  const candidates = named === undefined ? methods.signIn : methods.signIn.filter((method) => method.name === named);
  if (candidates.length === 0 && named !== undefined) return { problem: 'unknown', names };
  const method = candidates.find((candidate) => typeof candidate['deviceClientId'] === 'string' && typeof candidate['issuer'] === 'string');
  return method ? { method } : { problem: 'no-device', names };
}
