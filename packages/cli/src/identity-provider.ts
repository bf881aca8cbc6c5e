import * as oidc from 'openid-client';
import { SnekError } from '@snek/core';
import type { SavedLogin } from './credentials.js';
import { terminalLine } from './terminal.js';

/** What `snek login` asks the identity provider for: who you are, and a refresh token to stay signed in. */
export const LOGIN_SCOPE = 'openid profile email offline_access';

export interface IdentityProvider {
  issuer: string;
  clientId: string;
  resource?: string | undefined;
  timeoutMs: number;
}

/** What the person must do, printed before polling starts. */
export interface DevicePrompt {
  verificationUri: string;
  userCode: string;
  verificationUriComplete?: string | undefined;
  expiresInSeconds: number;
}

/**
 * The OAuth 2.0 Device Authorization Grant (RFC 8628) with the server's public client: discovery from the issuer,
 * the device authorization request, the prompt, then polling the token endpoint until the person approves.
 */
export async function deviceLogin(idp: IdentityProvider, prompt: (what: DevicePrompt) => void): Promise<SavedLogin> {
  const config = await discover(idp);
  const resource: Record<string, string> = idp.resource ? { resource: idp.resource } : {};
  const started = await asked(idp, () => oidc.initiateDeviceAuthorization(config, { scope: LOGIN_SCOPE, ...resource }));
  prompt({ verificationUri: started.verification_uri, userCode: started.user_code, verificationUriComplete: started.verification_uri_complete, expiresInSeconds: started.expires_in });
  const tokens = await asked(idp, () => oidc.pollDeviceAuthorizationGrant(config, started, resource));
  return savedFrom(idp, tokens, null);
}

/** New tokens for a saved login, from its refresh token (and the same resource). */
export async function refreshLogin(login: SavedLogin, timeoutMs: number): Promise<SavedLogin> {
  const idp = { issuer: login.issuer, clientId: login.clientId, resource: login.resource, timeoutMs };
  if (!login.refreshToken) throw new SnekError('UNAUTHORIZED', `the login from snek login has expired and holds no refresh token: run snek login again`);
  const config = await discover(idp);
  const tokens = await asked(idp, () => oidc.refreshTokenGrant(config, login.refreshToken!, idp.resource ? { resource: idp.resource } : {}));
  return savedFrom(idp, tokens, login.refreshToken);
}

function savedFrom(idp: IdentityProvider, tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, previousRefresh: string | null): SavedLogin {
  const expiresIn = tokens.expiresIn();
  return {
    issuer: idp.issuer,
    clientId: idp.clientId,
    accessToken: tokens.access_token,
    // A provider that does not rotate refresh tokens sends none back: the one we had still works.
    refreshToken: tokens.refresh_token ?? previousRefresh,
    expiresAt: expiresIn === undefined ? null : new Date(Date.now() + expiresIn * 1000).toISOString(),
    ...(idp.resource ? { resource: idp.resource } : {}),
  };
}

async function discover(idp: IdentityProvider): Promise<oidc.Configuration> {
  const issuer = issuerUrl(idp.issuer);
  // Plain http only to this machine: a test's identity provider, or a developer's.
  const execute = issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
  return asked(idp, () => oidc.discovery(issuer, idp.clientId, undefined, oidc.None(), { execute, timeout: Math.max(1, Math.ceil(idp.timeoutMs / 1000)) }));
}

function issuerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SnekError('SERVER_ERROR', `the server names the identity provider "${terminalLine(text)}", which is not a URL: ask its admin to check the issuer option of its sign-in provider`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return url;
  throw new SnekError('SERVER_ERROR', `the identity provider ${terminalLine(url.href)} is not https: snek login sends tokens over https only (plain http only to this machine)`);
}

/** Runs one exchange with the identity provider; its failures become SnekErrors that say what to do. */
async function asked<T>(idp: IdentityProvider, exchange: () => Promise<T>): Promise<T> {
  try {
    return await exchange();
  } catch (error) {
    throw identityProviderError(idp.issuer, error);
  }
}

export function identityProviderError(issuer: string, error: unknown): SnekError {
  if (SnekError.is(error)) return error;
  const at = `the identity provider ${terminalLine(issuer)}`;
  if (error instanceof oidc.ResponseBodyError) {
    const why = error.error_description ? `: ${terminalLine(error.error_description)}` : '';
    if (error.error === 'access_denied') return new SnekError('UNAUTHORIZED', `the sign-in was refused at ${at}${why}. Run snek login again to retry`, { cause: error });
    if (error.error === 'expired_token') return new SnekError('UNAUTHORIZED', `the code expired before it was approved at ${at}: run snek login again, and approve it sooner`, { cause: error });
    if (error.error === 'invalid_grant') return new SnekError('UNAUTHORIZED', `${at} no longer accepts this login (invalid_grant${why}): run snek login again`, { cause: error });
    return new SnekError('UNAUTHORIZED', `${at} refused (${terminalLine(error.error)}${why}): run snek login again, or ask the server's admin to check its device client`, { cause: error });
  }
  const cause = (error as { cause?: { code?: string } })?.cause;
  const name = (error as Error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return new SnekError('SERVER_UNREACHABLE', `${at} did not answer in time: try again, or raise --timeout`, { cause: error });
  if (error instanceof TypeError && cause?.code) return new SnekError('SERVER_UNREACHABLE', `cannot reach ${at} (${cause.code}): check your network, then run snek login again`, { cause: error });
  const code = (error as { code?: string })?.code;
  return new SnekError('SERVER_ERROR', `${at} answered what snek login cannot use (${terminalLine(code ?? (error as Error)?.message ?? String(error))}): ask the server's admin to check its sign-in provider`, { cause: error });
}
