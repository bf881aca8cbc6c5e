// The real server with the built-in oidc provider, against the real identity provider (oidc-provider on
// 127.0.0.1) and real Chromium: the code flow, group mapping, a session shared by two replicas, and the IdP's JWTs
// on the JSON API.
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@snek/core';
import { pino } from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../src/index.js';
import { browserSkipReason, launchChromium, PLAIN_HTTP_HOST } from './helpers/browser.js';
import { signInAt, startIdp, type AccountName, type TestIdp } from '../../auth-oidc/test/helpers/idp.js';
import { freePort } from '../../auth-oidc/test/helpers/provider.js';
import { signInForm } from './helpers/sign-in.js';

const SNEK_SESSION_KEYS = `${'a'.repeat(32)},${'b'.repeat(32)}`;
const snek = { name: 'Oidc snek', type: 'cute', content: '~~~>' };

const snekrc = (idp: Pick<TestIdp, 'issuer' | 'clientId' | 'deviceClientId' | 'resource' | 'audience'>, publicUrl: string) => `server:
  store: memory
  packs: [classic]
  publicUrl: ${publicUrl}
  auth:
    read: token
    sessionKeysEnv: SNEK_SESSION_KEYS
    signIn:
      - use: oidc
        displayName: Test IdP
        options:
          issuer: ${idp.issuer}
          clientId: ${idp.clientId}
          clientSecretEnv: SNEK_OIDC_CLIENT_SECRET
          deviceClientId: ${idp.deviceClientId}
          resource: ${idp.resource}
          audience: ${idp.audience}
          scopes:
            snek-writers: [read, write]
            snek-readers: [read]
`;

interface Replica extends RunningServer {
  /** The URL a browser uses: the plain-http intranet name, as publicUrl says. */
  browserUrl: string;
  stop(): Promise<void>;
}

/** A server on a port chosen first, so that its publicUrl (and the IdP's redirect URI) can name it. */
async function startReplica(idp: TestIdp, publicUrl?: string): Promise<Replica> {
  const port = await freePort();
  const browserUrl = `http://${PLAIN_HTTP_HOST}:${port}`;
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'snek-oidc-test-')));
  await writeFile(path.join(dir, '.snekrc'), snekrc(idp, publicUrl ?? browserUrl));
  const env = { HOME: dir, SNEK_SESSION_KEYS, ...idp.env };
  const loaded = await loadConfig({ cwd: dir, env });
  const server = await startServer({ loaded, port, env, logger: pino({ level: 'silent' }) });
  idp.allowRedirectUri(`${publicUrl ?? browserUrl}/signin/oidc/callback`);
  return {
    ...server,
    browserUrl,
    async stop() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let idp: TestIdp;
let server: Replica;
beforeAll(async () => {
  idp = await startIdp();
  server = await startReplica(idp);
});
afterAll(async () => {
  await server?.stop();
  await idp?.close();
});

const api = (pathname: string, token: string | null, init: RequestInit = {}) =>
  fetch(`${server.url}${pathname}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json', ...init.headers } });

describe('GET /v1/auth with the oidc provider', () => {
  it('tells the CLI the issuer, the device client, the resource and the audience, and no secret', async () => {
    const response = await api('/v1/auth', null);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({
      read: 'token',
      tokens: false,
      signIn: [{ name: 'oidc', displayName: 'Test IdP', browser: '/signin/oidc', issuer: idp.issuer, audience: idp.audience, deviceClientId: idp.deviceClientId, resource: idp.resource }],
    });
    expect(JSON.stringify(body)).not.toContain(idp.clientSecret);
  });
});

describe("the IdP's JWTs on the JSON API", () => {
  it('lets a writer PUT, and refuses a reader with 403', async () => {
    const alice = await idp.mint({ account: 'alice' });
    expect((await api('/v1/sneks/oidc-x', alice, { method: 'PUT', body: JSON.stringify(snek) })).status).toBe(201);
    const bob = await api('/v1/sneks/oidc-y', await idp.mint({ account: 'bob' }), { method: 'PUT', body: JSON.stringify(snek) });
    expect(bob.status).toBe(403);
    expect(bob.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await api('/v1/sneks/oidc-x', await idp.mint({ account: 'bob' }))).status).toBe(200);
  });

  it('says who the token is at /v1/whoami', async () => {
    const response = await api('/v1/whoami', await idp.mint({ account: 'alice' }));
    expect(await response.json()).toEqual({ actor: { kind: 'person', id: 'alice', name: 'Alice Example', email: 'alice@example.test', via: 'oidc' }, scopes: ['read', 'write'] });
  });

  it.each(['expired', 'wrongAudience', 'wrongIssuer', 'algNone', 'foreignKey'] as const)('refuses a token that is %s with a 401 problem', async (kind) => {
    const token = (await idp.refusable('alice'))[kind];
    for (const request of [api('/v1/sneks', token), api('/v1/sneks/oidc-z', token, { method: 'PUT', body: JSON.stringify(snek) })]) {
      const response = await request;
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(await response.text()).not.toContain(token);
    }
    expect((await api('/v1/sneks/oidc-z', null)).status).toBe(401);
  });
});

describe('starting the sign-in', () => {
  it("answers a browser's post with a page that moves on to the IdP (a redirect would break CSP form-action), with a link for when it does not", async () => {
    const form = await signInForm(server.url);
    const start = await fetch(`${server.url}/signin/oidc`, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
      body: new URLSearchParams({ csrf: form.csrf }),
    });
    expect(start.status).toBe(200);
    expect(start.headers.getSetCookie().some((line) => line.startsWith('snek_pending='))).toBe(true);
    const html = await start.text();
    const to = /<meta http-equiv="refresh" content="0; url=([^"]+)">/.exec(html)?.[1]?.replaceAll('&amp;', '&');
    expect(new URL(to!).origin).toBe(idp.issuer);
    expect(new URL(to!).searchParams.get('code_challenge_method')).toBe('S256');
    expect(html).toContain('Continue to Test IdP</a>');
    expect(html).not.toContain(idp.clientSecret);
  });
});

describe("the README's company sign-in", () => {
  it('starts a server as written (the issuer is not contacted) that offers its sign-in', async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const example = [...readme.matchAll(/```yaml\n(# \.snekrc with company sign-in\n[\s\S]*?)```/g)].map((m) => m[1]!)[0];
    expect(example).toBeDefined();
    const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'snek-readme-sign-in-')));
    try {
      await writeFile(path.join(dir, '.snekrc'), example!);
      const env = { HOME: dir, SNEK_SESSION_KEYS, SNEK_OIDC_SECRET: 'the secret' };
      const loaded = await loadConfig({ cwd: dir, env });
      // Loopback only, as every test server; the README's 0.0.0.0 is for a real deployment.
      const readmeServer = await startServer({ loaded, host: '127.0.0.1', port: 0, env, logger: pino({ level: 'silent' }) });
      try {
        const auth = (await (await fetch(`${readmeServer.url}/v1/auth`)).json()) as { signIn: unknown };
        expect(auth.signIn).toEqual([expect.objectContaining({ name: 'oidc', displayName: 'Example Corp', issuer: 'https://login.example.com/realms/staff', deviceClientId: 'snek-cli', audience: 'snek' })]);
        expect((await signInForm(readmeServer.url)).html).toContain('Sign in with Example Corp');
      } finally {
        await readmeServer.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('an identity provider that is down', () => {
  it('does not stop the server: sign-in answers 503 saying so, the JWTs of that issuer 503, and the rest works', async () => {
    const downIssuer = `http://127.0.0.1:${await freePort()}`;
    const down = await startReplica({ ...idp, issuer: downIssuer } as TestIdp);
    try {
      const form = await signInForm(down.url);
      const start = await fetch(`${down.url}/signin/oidc`, {
        method: 'POST',
        redirect: 'manual',
        headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
        body: new URLSearchParams({ csrf: form.csrf }),
      });
      expect(start.status).toBe(503);
      expect(await start.text()).toContain(`The identity provider ${downIssuer} could not be reached for discovery`);
      const jwt = await idp.mint({ claims: { iss: downIssuer } });
      const api = await fetch(`${down.url}/v1/sneks`, { headers: { authorization: `Bearer ${jwt}` } });
      expect(api.status).toBe(503);
      expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await fetch(`${down.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${down.url}/v1/auth`)).status).toBe(200);
    } finally {
      await down.stop();
    }
  });
});

const skip = browserSkipReason();
const describeBrowser = skip ? describe.skip : describe;
if (skip) console.warn(`skipping the oidc sign-in browser tests: ${skip}`);

describeBrowser('signing in with oidc in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
    // Each step is quick on loopback; a stuck one fails with its own message instead of the test's timeout.
    page.setDefaultTimeout(10_000);
  });
  afterEach(async () => {
    await context?.close();
  });

  /** From the gallery's sign-in page, through the IdP, back to the server. */
  async function signIn(account: AccountName, at: Replica = server): Promise<void> {
    await page.goto(`${at.browserUrl}/`);
    await page.waitForURL(`${at.browserUrl}/signin**`);
    await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();
    await page.waitForURL(`${idp.issuer}/**`);
    await signInAt(page, account);
  }
  /** /v1/whoami fetched by the page itself (with its cookies), which must be on `at`'s origin. */
  const whoami = async (at: Replica = server) => {
    expect(new URL(page.url()).origin).toBe(at.browserUrl);
    return page.evaluate(() => fetch('/v1/whoami').then((response) => response.json()));
  };

  it('signs alice in with the code flow: she lands on the gallery, signed in as herself, with her scopes', async () => {
    await signIn('alice');
    await page.waitForURL(`${server.browserUrl}/`);
    await expect(page.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);
    expect(await page.content()).toContain('snek');
    expect(await whoami()).toEqual({ actor: { kind: 'person', id: 'alice', name: 'Alice Example', email: 'alice@example.test', via: 'oidc' }, scopes: ['read', 'write'] });
    // The cookie holds a sealed session (a JWE, not the IdP's signed JWTs), and nothing readable about her.
    const session = (await context.cookies(server.browserUrl)).find((cookie) => cookie.name === 'snek_session');
    expect(session?.value.split('.')).toHaveLength(5);
    expect(JSON.parse(Buffer.from(session!.value.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'dir', enc: 'A256GCM' });
    expect(session!.value).not.toMatch(/alice/i);
  });

  it('lets bob, a reader, read the gallery and a snek, with the read scope only', async () => {
    await signIn('bob');
    await page.waitForURL(`${server.browserUrl}/`);
    expect(await whoami()).toMatchObject({ actor: { id: 'bob' }, scopes: ['read'] });
    const snekPage = await page.goto(`${server.browserUrl}/s/oidc-x`);
    expect(snekPage?.status()).toBe(200);
  });

  it('refuses carol, who is in no group, and the page says why', async () => {
    await signIn('carol');
    await page.getByText('but you have no groups, and grant no scope on this server').waitFor();
    expect(page.url()).toMatch(new RegExp(`^${server.browserUrl}/signin/oidc/callback`));
    expect(await page.content()).toContain('You signed in with Test IdP as carol@example.test');
    expect((await context.cookies(server.browserUrl)).map((cookie) => cookie.name)).not.toContain('snek_session');
    expect(await whoami()).toEqual({ actor: null, scopes: [] });
  });

  it('says so when the person denies Snek at the IdP', async () => {
    await page.goto(`${server.browserUrl}/signin`);
    await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();
    await page.waitForURL(`${idp.issuer}/**`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('The identity provider refused the sign-in (access_denied)').waitFor();
    expect(await whoami()).toEqual({ actor: null, scopes: [] });
  });

  it('lets alice, a writer, edit a snek in the gallery through a conflict without losing either version', async () => {
    const token = await idp.mint({ account: 'alice' });
    const put = (content: string, headers: Record<string, string> = {}) => api('/v1/sneks/oidc-edit', token, { method: 'PUT', headers, body: JSON.stringify({ ...snek, content }) });
    expect((await put('first')).status).toBe(201);
    await signIn('alice');
    await page.waitForURL(`${server.browserUrl}/`);
    await page.goto(`${server.browserUrl}/s/oidc-edit/edit`);
    // Someone else saves between alice's load and her save.
    const loaded = (await api('/v1/sneks/oidc-edit', token)).headers.get('etag')!;
    expect((await put('theirs', { 'if-match': loaded })).status).toBe(200);
    await page.getByLabel('Art', { exact: true }).fill('alice was here');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Someone else changed this snek meanwhile' }).waitFor();
    expect(((await (await api('/v1/sneks/oidc-edit', token)).json()) as { content: string }).content).toBe('theirs');
    expect(await page.getByLabel('Art', { exact: true }).inputValue()).toBe('alice was here');
    await page.getByRole('button', { name: 'Save yours over theirs' }).click();
    await page.waitForURL(`${server.browserUrl}/s/oidc-edit?saved=1`);
    expect(((await (await api('/v1/sneks/oidc-edit', token)).json()) as { content: string }).content).toBe('alice was here');
  });

  it('shows bob, a reader, no editing controls, and refuses his crafted post with 403', async () => {
    await signIn('bob');
    await page.waitForURL(`${server.browserUrl}/`);
    expect((await page.goto(`${server.browserUrl}/s/oidc-x`))?.status()).toBe(200);
    expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'New snek' }).count()).toBe(0);
    // A post he crafts from the server's own page, with his own session's CSRF token.
    const csrf = (await page.locator('form[action="/signout"] input[name=csrf]').getAttribute('value'))!;
    const status = await page.evaluate(async (token) => {
      const body = new URLSearchParams({ csrf: token, id: 'by-bob', name: 'Bob', type: 'cute', content: 'nope' });
      return (await fetch('/new', { method: 'POST', body })).status;
    }, csrf);
    expect(status).toBe(403);
    expect((await api('/v1/sneks/by-bob', await idp.mint())).status).toBe(404);
  });

  it('keeps alice signed in on a second replica that shares the session keys', async () => {
    const replica = await startReplica(idp, server.browserUrl);
    try {
      await signIn('alice');
      await page.waitForURL(`${server.browserUrl}/`);
      // Cookies are per host, not per port: the browser sends the same session to the other replica.
      await page.goto(`${replica.browserUrl}/`);
      expect(page.url()).toBe(`${replica.browserUrl}/`);
      await expect(page.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);
      expect(await whoami(replica)).toMatchObject({ actor: { id: 'alice', via: 'oidc' }, scopes: ['read', 'write'] });
    } finally {
      await replica.stop();
    }
  });
});
