import { decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { SnekError, type SignedIn } from '@snek/core';
import { signedInFrom } from './claims.js';
import type { LazyDiscovery } from './discovery.js';
import type { OidcOptions } from './options.js';
import { unavailable } from './unavailable.js';

const invalid = (why: string) => new SnekError('AUTH_TOKEN_INVALID', `The bearer token from the identity provider is refused: ${why}.`);

/** The unverified issuer of a compact JWS, or undefined when `token` is not one. */
function claimedIssuer(token: string): string | undefined {
  if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) return undefined;
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

const sameIssuer = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/** The IdP's access tokens on the API: iss, aud, exp and nbf (with skew), the algorithm allow-list, the JWKS signature. */
export class BearerVerifier {
  constructor(
    private readonly options: OidcOptions,
    private readonly discovery: LazyDiscovery,
  ) {}

  async verify(token: string): Promise<SignedIn | undefined> {
    const iss = claimedIssuer(token);
    // Not a JWT, or another issuer's: another provider (or the configured tokens) may take it.
    if (iss === undefined || !sameIssuer(iss, this.options.issuer)) return undefined;
    const { audience, algorithms, clockSkewSeconds } = this.options;
    if (audience === undefined) throw invalid('this server takes no JWTs from it, as the oidc provider has no options.audience. An administrator sets it to the audience of the API\'s access tokens');
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw invalid('its header is not valid JSON');
    }
    if (typeof alg !== 'string' || alg.toLowerCase() === 'none') throw invalid('it is unsigned (alg "none")');
    if (!algorithms.includes(alg)) throw invalid(`its algorithm ${alg} is not one of ${algorithms.join(', ')} (options.algorithms)`);

    const { jwks, issuer } = await this.discovery.get();
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms, clockTolerance: clockSkewSeconds, requiredClaims: ['sub', 'exp'] });
      return signedInFrom(payload as Record<string, unknown>, this.options.groupsClaim, this.options.scopes);
    } catch (error) {
      throw this.explain(error);
    }
  }

  private explain(error: unknown): SnekError {
    if (error instanceof errors.JWTExpired) return invalid('it has expired. Get a new one (snek login refreshes it)');
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'aud') return invalid(`its audience (aud) is not ${this.options.audience}. Ask the identity provider for a token for this API (resource or audience ${this.options.audience})`);
      if (error.claim === 'nbf') return invalid('it is not valid yet (nbf is in the future): check the clocks');
      if (error.claim === 'iss') return invalid(`its issuer is not ${this.options.issuer}`);
      return invalid(`its ${error.claim} claim fails: ${error.reason}`);
    }
    if (error instanceof errors.JOSEAlgNotAllowed) return invalid(`its algorithm is not one of ${this.options.algorithms.join(', ')}`);
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed) return invalid('its signature is not made by any key the identity provider publishes');
    if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError)) return unavailable(this.options.issuer, 'its signing keys (JWKS)', error);
    if (error instanceof errors.JOSEError) return invalid(`it is malformed (${error.code})`);
    return unavailable(this.options.issuer, 'its signing keys (JWKS)', error);
  }
}
