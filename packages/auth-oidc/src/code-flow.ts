import * as client from 'openid-client';
import { SnekError, type SignedIn } from '@snek/core';
import { signedInFrom } from './claims.js';
import type { LazyDiscovery } from './discovery.js';
import type { OidcOptions } from './options.js';
import { reasonOf, unavailable } from './unavailable.js';

/** How long a person may take at the IdP before the sign-in must start again. */
export const PENDING_MAX_AGE_MS = 15 * 60 * 1000;

interface Pending {
  v: 1;
  state: string;
  nonce: string;
  verifier: string;
  /** When start() ran, ms since the epoch. */
  at: number;
}

const failed = (message: string, cause?: unknown) => new SnekError('AUTH_SIGN_IN_FAILED', message, cause === undefined ? {} : { cause });

/** What an IdP's `error` code means for the person, in words they can act on. The IdP's own description is not shown: it comes in through the URL, so anyone could write it. */
function refusal(code: string): string {
  const known: Record<string, string> = {
    access_denied: 'The identity provider refused the sign-in (access_denied): you, or its policy, declined. Start again, or ask your administrator for access to Snek.',
    login_required: 'The identity provider wants you to sign in there first (login_required). Start the sign-in again.',
    consent_required: 'The identity provider needs your consent for Snek (consent_required). Start again and allow Snek.',
    interaction_required: 'The identity provider needs you to do something there (interaction_required). Start the sign-in again.',
    temporarily_unavailable: 'The identity provider is busy (temporarily_unavailable). Wait a little and start the sign-in again.',
    server_error: 'The identity provider failed (server_error). Start the sign-in again; if it persists, tell your administrator.',
  };
  const safe = /^[a-z_]{1,64}$/.test(code) ? code : 'unknown';
  return known[safe] ?? `The identity provider refused the sign-in (${safe}). Start again, or tell your administrator.`;
}

function readPending(pending: string): Pending {
  let value: unknown;
  try {
    value = JSON.parse(pending);
  } catch {
    value = undefined;
  }
  const p = value as Partial<Pending> | undefined;
  if (!p || p.v !== 1 || typeof p.state !== 'string' || typeof p.nonce !== 'string' || typeof p.verifier !== 'string' || typeof p.at !== 'number') {
    throw failed('This sign-in was not started in this browser, or its cookie was lost. Start the sign-in again.');
  }
  if (Date.now() - p.at > PENDING_MAX_AGE_MS) throw failed('This sign-in took more than 15 minutes and has expired. Start the sign-in again.');
  return p as Pending;
}

/** The authorization code flow with PKCE (S256), state and nonce. */
export class CodeFlow {
  constructor(
    private readonly options: OidcOptions,
    private readonly discovery: LazyDiscovery,
    private readonly callbackUrl: string,
  ) {}

  async start(): Promise<{ location: string; pending: string }> {
    const { config } = await this.discovery.get();
    const verifier = client.randomPKCECodeVerifier();
    const pending: Pending = { v: 1, state: client.randomState(), nonce: client.randomNonce(), verifier, at: Date.now() };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.callbackUrl,
      response_type: 'code',
      scope: this.options.requestScopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { location: url.href, pending: JSON.stringify(pending) };
  }

  async finish(callback: URL, pendingText: string): Promise<SignedIn> {
    const pending = readPending(pendingText);
    const params = callback.searchParams;
    // The state first: an answer to someone else's sign-in is refused before its error or code means anything.
    if (params.get('state') !== pending.state) {
      throw failed('This sign-in answer does not belong to the sign-in this browser started (an old tab, or a link from someone else). Start the sign-in again.');
    }
    const error = params.get('error');
    if (error !== null) throw failed(refusal(error));
    if (!params.get('code')) throw failed('The identity provider sent no code back. Start the sign-in again.');

    const { config } = await this.discovery.get();
    // The redirect_uri sent must be the one registered, whatever Host the callback reached the server under.
    const current = new URL(this.callbackUrl);
    current.search = callback.search;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    } catch (cause) {
      throw this.grantFailure(cause);
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw failed('The identity provider sent no ID token. Check that the client is an OpenID Connect client and that the scope openid is allowed.');
    let claims: Record<string, unknown> = { ...idClaims };
    // Some IdPs keep name, email or groups for userinfo; ask once, and keep what the ID token said if it fails.
    if ((claims[this.options.groupsClaim] === undefined || claims['email'] === undefined) && config.serverMetadata().userinfo_endpoint) {
      try {
        claims = { ...(await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)), ...claims };
      } catch {
        // Not fatal: without groups the person gets no scope, and the sign-in page says so.
      }
    }
    return signedInFrom(claims, this.options.groupsClaim, this.options.scopes);
  }

  private grantFailure(cause: unknown): SnekError {
    if (cause instanceof client.AuthorizationResponseError) return failed(refusal(cause.error), cause);
    if (cause instanceof client.ResponseBodyError) {
      if (cause.error === 'invalid_grant') return failed('The identity provider did not accept this sign-in\'s code (invalid_grant): it was used already, or it expired. Start the sign-in again.', cause);
      if (cause.error === 'invalid_client' || cause.error === 'unauthorized_client') {
        return failed(`The identity provider refused Snek's client (${cause.error}). An administrator must check options.clientId and the secret in options.clientSecretEnv.`, cause);
      }
      return failed(`The identity provider refused the sign-in (${cause.error}). Start again, or tell your administrator.`, cause);
    }
    if (cause instanceof client.ClientError) {
      // A check of ours that failed: state, nonce, issuer, audience, expiry of the ID token.
      return failed(`The identity provider's answer failed a check (${cause.code ?? 'invalid response'}: ${reasonOf(cause)}). Start the sign-in again; if it persists, tell your administrator.`, cause);
    }
    return unavailable(this.options.issuer, 'the sign-in', cause);
  }
}
