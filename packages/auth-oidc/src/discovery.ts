import * as client from 'openid-client';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { OidcOptions } from './options.js';
import { isLoopback } from './options.js';
import { unavailable } from './unavailable.js';

/** Seconds a discovery request may take: a slow IdP is reported, not waited on for openid-client's default 30 s. */
const DISCOVERY_TIMEOUT_SECONDS = 10;

export interface Discovered {
  config: client.Configuration;
  jwks: JWTVerifyGetKey;
  /** The issuer exactly as the IdP states it. */
  issuer: string;
}

/**
 * The issuer's metadata, fetched on first use and kept; a failure is not kept, so the next request tries again.
 * `create` never calls it: Snek starts while the IdP is down.
 */
export class LazyDiscovery {
  private pending: Promise<Discovered> | undefined;

  constructor(
    private readonly options: OidcOptions,
    private readonly clientSecret: string,
  ) {}

  get(): Promise<Discovered> {
    this.pending ??= this.discover().catch((error: unknown) => {
      this.pending = undefined;
      throw error;
    });
    return this.pending;
  }

  private async discover(): Promise<Discovered> {
    const issuerUrl = new URL(this.options.issuer);
    const insecure = issuerUrl.protocol === 'http:' && isLoopback(issuerUrl);
    let config: client.Configuration;
    try {
      config = await client.discovery(issuerUrl, this.options.clientId, undefined, client.ClientSecretBasic(this.clientSecret), {
        timeout: DISCOVERY_TIMEOUT_SECONDS,
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      });
    } catch (error) {
      throw unavailable(this.options.issuer, 'discovery', error);
    }
    const metadata = config.serverMetadata();
    if (!metadata.jwks_uri) throw unavailable(this.options.issuer, 'discovery', new Error('its metadata has no jwks_uri'));
    return { config, jwks: createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: DISCOVERY_TIMEOUT_SECONDS * 1000 }), issuer: metadata.issuer };
  }
}
