// The company's identity provider in tests: oidc-provider (panva), certified, on 127.0.0.1:0, with our own tiny
// login and consent pages (its devInteractions warn on every start) and a fixed set of people and groups.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import Provider, { errors, type Configuration } from 'oidc-provider';
import type { Page } from 'playwright-core';

export interface TestAccount {
  sub: string;
  name: string;
  email: string;
  groups: string[];
}

/** alice writes, bob reads (his group maps to read, and "*" does too), carol is in no group. */
export const ACCOUNTS = {
  alice: { sub: 'alice', name: 'Alice Example', email: 'alice@example.test', groups: ['snek-writers'] },
  bob: { sub: 'bob', name: 'Bob Example', email: 'bob@example.test', groups: ['snek-readers'] },
  carol: { sub: 'carol', name: 'Carol Example', email: 'carol@example.test', groups: [] },
} as const satisfies Record<string, TestAccount>;
export type AccountName = keyof typeof ACCOUNTS;

export const RESOURCE = 'urn:snek:api';
export const WEB_CLIENT_ID = 'snek-web';
export const DEVICE_CLIENT_ID = 'snek-cli';
/** The variable name a test's server reads the web client's secret from (options.clientSecretEnv). */
export const CLIENT_SECRET_ENV = 'SNEK_OIDC_CLIENT_SECRET';

export interface IdpOptions {
  /** The web client's redirect URIs: the server's `<publicUrl>/signin/<name>/callback`. */
  redirectUris?: string[];
  /** The `aud` of the access tokens issued for RESOURCE; default RESOURCE itself. */
  audience?: string;
  /** Lifetime of those access tokens, seconds; default 300. Short for the refresh tests. */
  accessTokenTtl?: number;
  /** The port to listen on; default 0 (any free one). A fixed one lets a test bring an issuer up that was down. */
  port?: number;
}

export interface MintOptions {
  /** Whose claims (sub, name, email, groups); default alice. */
  account?: AccountName;
  /** Overrides on the payload: `iss`, `aud`, `exp`, `nbf`, extra claims. */
  claims?: Record<string, unknown>;
  /** Seconds from now to expiry (negative: already expired); default 300. */
  expiresIn?: number;
}

export interface TestIdp {
  /** `http://127.0.0.1:<port>`, the discovery base. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  deviceClientId: string;
  resource: string;
  audience: string;
  /** The env a server needs for the web client's secret: `{ [CLIENT_SECRET_ENV]: clientSecret }`. */
  env: Record<string, string>;
  /** Adds a redirect URI to the web client (a server's callback URL is known only once it listens). */
  allowRedirectUri(uri: string): void;
  /** A JWT access token signed with the IdP's own key, as it would issue for RESOURCE. */
  mint(options?: MintOptions): Promise<string>;
  /** Tokens that a verifier must refuse, each otherwise valid. */
  refusable(account?: AccountName): Promise<Record<'expired' | 'wrongAudience' | 'wrongIssuer' | 'algNone' | 'foreignKey', string>>;
  close(): Promise<void>;
}

/** The page's HTML escaped; these pages only ever show our own fixed strings and the uid, but still. */
const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${body}</body></html>`;

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(new URLSearchParams(body))).on('error', reject);
  });
}

export async function startIdp(options: IdpOptions = {}): Promise<TestIdp> {
  const audience = options.audience ?? RESOURCE;
  const accessTokenTtl = options.accessTokenTtl ?? 300;
  const redirectUris = [...(options.redirectUris ?? [])];
  const clientSecret = randomBytes(24).toString('base64url');

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingJwk: JWK = { ...(await exportJWK(privateKey)), kid: 'idp-key-1', alg: 'RS256', use: 'sig' };

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const account = (sub: string): TestAccount | undefined => (Object.hasOwn(ACCOUNTS, sub) ? ACCOUNTS[sub as AccountName] : undefined);

  const configuration: Configuration = {
    jwks: { keys: [signingJwk as never] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clients: [
      {
        client_id: WEB_CLIENT_ID,
        client_secret: clientSecret,
        client_name: 'Snek',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        // At least one is required here; allowRedirectUri adds those known only later (see below).
        redirect_uris: redirectUris.length > 0 ? [...redirectUris] : [`${issuer}/never`],
      },
      {
        client_id: DEVICE_CLIENT_ID,
        client_name: 'snek CLI',
        application_type: 'native',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'none',
      },
    ],
    // The groups travel with `openid`, as Entra ID and Keycloak's group mapper do: no extra scope to ask for.
    claims: { openid: ['sub', 'groups'], profile: ['name'], email: ['email', 'email_verified'] },
    // Claims in the ID token even though an access token is issued too, as the big providers do.
    conformIdTokenClaims: false,
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    pkce: { required: () => true },
    ttl: { AccessToken: accessTokenTtl, IdToken: 300, AuthorizationCode: 60, DeviceCode: 300, Interaction: 600, Session: 3600, Grant: 3600, RefreshToken: 3600 },
    async findAccount(_ctx, sub) {
      const found = account(sub);
      if (!found) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub: found.sub, name: found.name, email: found.email, email_verified: true, groups: [...found.groups] }),
      };
    },
    // The JWT access tokens for the API carry the groups, as `groupsClaim` reads them.
    async extraTokenClaims(_ctx, token) {
      const found = 'accountId' in token && typeof token.accountId === 'string' ? account(token.accountId) : undefined;
      return found ? { groups: [...found.groups], name: found.name, email: found.email } : undefined;
    },
    // The device client always gets a refresh token (offline_access or not): `snek login` refreshes.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: async (ctx, form, _out, err) => {
          ctx.body = page('Enter the code', `${err ? '<p role="alert">That code is not valid.</p>' : ''}${form}<button type="submit" form="op.deviceInputForm">Continue</button>`);
        },
        userCodeConfirmSource: async (ctx, form, _client, _info, userCode) => {
          ctx.body = page('Confirm the device', `<p>Code <code>${esc(userCode)}</code></p>${form}<button type="submit" form="op.deviceConfirmForm">Continue</button>`);
        },
        successSource: async (ctx) => {
          ctx.body = page('Signed in', '<p>You can close this page.</p>');
        },
      },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== RESOURCE) throw new errors.InvalidTarget();
          return { scope: 'snek', audience, accessTokenTTL: accessTokenTtl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
  };
  const provider = new Provider(issuer, configuration);
  // A server's callback URL is known only once it listens, after the IdP: the web client also accepts those added
  // since. Static clients are frozen, so the check is widened instead.
  const allowed = provider.Client.prototype.redirectUriAllowed;
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(this: InstanceType<typeof provider.Client>, uri: string) {
    return allowed.call(this, uri) || (this.clientId === WEB_CLIENT_ID && redirectUris.includes(uri));
  };
  const callback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction uid mismatch');
    const action = `/interaction/${esc(uid)}`;
    if (req.method === 'GET') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      if (details.prompt.name === 'login') {
        res.end(page('Sign in to the test IdP', `<form method="post" action="${action}"><input type="hidden" name="prompt" value="login"><label>Account <input name="login" autocomplete="off"></label><button type="submit">Sign in</button></form><form method="post" action="${action}"><input type="hidden" name="prompt" value="abort"><button type="submit">Cancel</button></form>`));
      } else {
        res.end(page('Allow Snek', `<form method="post" action="${action}"><input type="hidden" name="prompt" value="consent"><button type="submit">Allow</button></form><form method="post" action="${action}"><input type="hidden" name="prompt" value="abort"><button type="submit">Deny</button></form>`));
      }
      return;
    }
    const form = await readForm(req);
    const prompt = form.get('prompt');
    if (prompt === 'abort') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The person refused' }, { mergeWithLastSubmission: false });
    } else if (prompt === 'login' && details.prompt.name === 'login') {
      const sub = form.get('login') ?? '';
      if (!account(sub)) {
        res.statusCode = 400;
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(page('Unknown account', '<p>No such test account.</p>'));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
    } else if (prompt === 'consent' && details.prompt.name === 'consent') {
      const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params['client_id']) });
      if (!grant) throw new Error('grant vanished');
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    } else {
      res.statusCode = 400;
      res.end('unexpected prompt');
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/interaction\/([\w-]+)$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!match) {
      void callback(req, res);
      return;
    }
    interaction(req, res, match[1]!).catch((error: unknown) => {
      if (!res.headersSent) res.statusCode = 500;
      res.end(`interaction failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  const base = (name: AccountName, expiresIn: number) => {
    const who = ACCOUNTS[name];
    const now = Math.floor(Date.now() / 1000);
    return { iss: issuer, aud: audience, sub: who.sub, client_id: DEVICE_CLIENT_ID, scope: 'snek', groups: [...who.groups], name: who.name, email: who.email, iat: now, exp: now + expiresIn, jti: randomBytes(8).toString('hex') };
  };
  const sign = (payload: Record<string, unknown>, key: typeof privateKey = privateKey, kid = signingJwk.kid!) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(key);

  const idp: TestIdp = {
    issuer,
    clientId: WEB_CLIENT_ID,
    clientSecret,
    deviceClientId: DEVICE_CLIENT_ID,
    resource: RESOURCE,
    audience,
    env: { [CLIENT_SECRET_ENV]: clientSecret },
    allowRedirectUri(uri) {
      if (!redirectUris.includes(uri)) redirectUris.push(uri);
    },
    async mint({ account: name = 'alice', claims = {}, expiresIn = 300 } = {}) {
      return sign({ ...base(name, expiresIn), ...claims });
    },
    async refusable(name = 'alice') {
      const foreign = await generateKeyPair('RS256');
      const unsigned = (payload: object) => `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
      const now = Math.floor(Date.now() / 1000);
      return {
        expired: await sign({ ...base(name, -3600), iat: now - 7200 }),
        wrongAudience: await sign({ ...base(name, 300), aud: 'urn:someone:else' }),
        wrongIssuer: await sign({ ...base(name, 300), iss: `${issuer}/elsewhere` }),
        algNone: unsigned(base(name, 300)),
        // The IdP's own kid, so only the signature gives it away.
        foreignKey: await sign(base(name, 300), foreign.privateKey, signingJwk.kid!),
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return idp;
}

/**
 * On the IdP's login page (where a redirect to it landed), signs in as `account` and allows Snek. Resolves once the
 * browser has left the IdP (or, for the device flow, reached its success page).
 */
export async function signInAt(page: Page, account: AccountName | string): Promise<void> {
  const login = page.url();
  await page.getByLabel('Account').fill(account);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.href !== login);
  // A grant given before is remembered for the session: the consent page may not come.
  const allow = page.getByRole('button', { name: 'Allow' });
  if ((await page.title()) === 'Allow Snek') {
    const consent = page.url();
    await allow.click();
    await page.waitForURL((url) => url.href !== consent);
  }
}

/** Approves a device flow's user code as `account`: the code page, the confirm page, login and consent. */
export async function approveDeviceCode(page: Page, verificationUri: string, userCode: string, account: AccountName | string): Promise<void> {
  await page.goto(verificationUri);
  await page.locator('input[name="user_code"]').fill(userCode);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Confirm the device' }).waitFor();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Account').waitFor();
  await signInAt(page, account);
  await page.getByRole('heading', { name: 'Signed in' }).waitFor();
}
