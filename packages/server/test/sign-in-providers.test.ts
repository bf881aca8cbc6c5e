import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@snek/core';
import { pino } from 'pino';
import { startServer } from '../src/index.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './helpers/in-process.js';
import { signInForm } from './helpers/sign-in.js';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';

// The server's side of sign-in providers, with a third-party provider (fixtures/auth/test-idp) and a tiny
// identity provider it redirects to; the real OpenID Connect provider is tested in sign-in-oidc.test.ts.
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const PROVIDER = path.join(FIXTURES, 'auth/test-idp');
const RECORDING = path.join(FIXTURES, 'stores/recording');
const READER = 'providers-reader-token';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const BROWSER = { accept: 'text/html,application/xhtml+xml' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let idp: Server;
let idpUrl: string;
// Who the tiny identity provider signs in next.
let nextUser = 'alice';

const snekrc = (log: string) => `server:
  store: { use: ${RECORDING}, options: { log: ${log} } }
  packs: []
  publicUrl: http://snek.example.test/
  auth:
    read: token
    sessionKeysEnv: SNEK_SESSION_KEYS
    tokens:
      - { name: reader, sha256: ${sha256(READER)}, scopes: [read] }
    signIn:
      - use: ${PROVIDER}
        displayName: Example Corp
        options:
          idp: ${idpUrl}
          people:
            alice: { name: Alice, email: alice@example.test, groups: [snek-writers] }
            bob: { name: Bob, email: bob@example.test, groups: [staff] }
            carol: { name: Carol, groups: [] }
          scopes:
            snek-writers: [read, write]
            staff: [read]
`;

let server: TestServer & { dir: string };
let log: TempDir;
beforeAll(async () => {
  idp = createServer((req, res) => {
    const url = new URL(req.url!, 'http://idp');
    const back = new URL(url.searchParams.get('redirect_uri')!);
    back.searchParams.set('state', url.searchParams.get('state')!);
    back.searchParams.set('user', nextUser);
    res.writeHead(302, { location: back.href }).end();
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  idpUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  log = await tempDir('snek-actor-log-');
  server = await startTestServer({ snekrc: snekrc(path.join(log.path, 'writes.jsonl')), env: { SNEK_SESSION_KEYS: 'k'.repeat(40) } });
});
afterAll(async () => {
  await server?.stop();
  await log?.cleanup();
  await new Promise((resolve) => idp?.close(resolve));
});

/** The cookies a response sets, as name → the whole Set-Cookie line. */
function setCookies(response: Response): Map<string, string> {
  return new Map(response.headers.getSetCookie().map((line) => [line.split('=')[0]!, line]));
}
const pair = (line: string | undefined) => line!.split(';')[0]!;

/** A browser's sign-in with the provider: the form, its post, the identity provider, the callback. */
async function providerSignIn(user: string): Promise<{ callback: Response; session: string | undefined }> {
  nextUser = user;
  const form = await signInForm(server.url);
  const start = await fetch(`${server.url}/signin/test-idp`, { method: 'POST', redirect: 'manual', headers: { ...FORM, cookie: form.cookie }, body: new URLSearchParams({ csrf: form.csrf }) });
  expect(start.status).toBe(303);
  const pending = pair(setCookies(start).get('snek_pending'));
  const fromIdp = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  // The identity provider sends the browser to publicUrl; the test's server is on another address.
  const back = new URL(fromIdp.headers.get('location')!);
  expect(back.origin).toBe('http://snek.example.test');
  const callback = await fetch(`${server.url}${back.pathname}${back.search}`, { redirect: 'manual', headers: { ...BROWSER, cookie: pending } });
  const session = setCookies(callback).get('snek_session');
  return { callback, session: session && pair(session) };
}

async function actorsLogged(): Promise<Array<{ op: string; id: string; actor: Record<string, unknown> | null }>> {
  const text = await readFile(path.join(log.path, 'writes.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

describe('GET /v1/auth', () => {
  it('tells anyone, without a token, how to sign in: each provider, its browser path, what it describes', async () => {
    const response = await server.request('/v1/auth', { token: null });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      read: 'token',
      tokens: true,
      signIn: [{ name: 'test-idp', displayName: 'Example Corp', browser: '/signin/test-idp', issuer: idpUrl, callbackUrl: 'http://snek.example.test/signin/test-idp/callback' }],
    });
  });
});

describe('GET /v1/whoami', () => {
  it('says who a token, a provider bearer or nobody is, with their scopes', async () => {
    expect(await (await server.request('/v1/whoami', { token: null })).json()).toEqual({ actor: null, scopes: [] });
    expect(await (await server.request('/v1/whoami', { token: READER })).json()).toEqual({ actor: { kind: 'token', id: 'reader' }, scopes: ['read'] });
    expect(await (await server.request('/v1/whoami', { token: 'fixture.alice.sig' })).json()).toEqual({
      actor: { kind: 'person', id: 'sub-alice', name: 'Alice', email: 'alice@example.test', via: 'test-idp' },
      scopes: ['read', 'write'],
    });
  });

  it('refuses a bearer that no token and no provider owns with a 401 problem', async () => {
    for (const token of ['not-a-token', 'fixture.nobody.sig', 'a.b.c']) {
      const response = await server.request('/v1/whoami', { token });
      expect([token, response.status, response.headers.get('www-authenticate')]).toEqual([token, 401, 'Bearer realm="snek", error="invalid_token"']);
    }
  });
});

describe('a provider bearer on the API', () => {
  it('writes with the scopes of its groups, and the store is told who wrote', async () => {
    const snek = { name: 'Alice snek', type: 'cute', content: '~~~>' };
    expect((await server.request('/v1/sneks/by-alice', { method: 'PUT', token: 'fixture.alice.sig', json: snek })).status).toBe(201);
    const reader = await server.request('/v1/sneks/by-bob', { method: 'PUT', token: 'fixture.bob.sig', json: snek });
    expect([reader.status, ((await reader.json()) as { code: string }).code]).toEqual([403, 'FORBIDDEN']);
    const etag = (await server.request('/v1/sneks/by-alice', { token: READER })).headers.get('etag')!;
    expect((await server.request('/v1/sneks/by-alice', { method: 'DELETE', token: ADMIN_TOKEN, headers: { 'if-match': etag } })).status).toBe(204);
    expect(await actorsLogged()).toEqual([
      { op: 'put', id: 'by-alice', actor: { kind: 'person', id: 'sub-alice', name: 'Alice', email: 'alice@example.test', via: 'test-idp' } },
      { op: 'delete', id: 'by-alice', actor: { kind: 'token', id: 'SNEK_ADMIN_TOKEN' } },
    ]);
  });
});

describe('signing in with a provider in the browser', () => {
  it('offers "Sign in with <displayName>" beside the token form, each with the form’s CSRF token', async () => {
    const { html, csrf } = await signInForm(server.url);
    expect(html).toContain('<form method="post" action="/signin/test-idp" class="sign-in-provider">');
    expect(html).toContain('<button type="submit">Sign in with Example Corp</button>');
    expect(html).toContain('<label for="token">Token</label>');
    expect(html.match(new RegExp(`name="csrf" value="${csrf}"`, 'g'))).toHaveLength(2);
  });

  it('goes to the identity provider and back: a session for the person, and the gallery', async () => {
    const { callback, session } = await providerSignIn('alice');
    expect([callback.status, callback.headers.get('cache-control')]).toEqual([200, 'no-store']);
    // A page that moves on at once: the SameSite=Strict cookie would not follow a redirect begun on the IdP's site.
    expect(await callback.text()).toContain('<meta http-equiv="refresh" content="0; url=/">');
    expect(setCookies(callback).get('snek_pending')).toMatch(/^snek_pending=; /);
    expect((await fetch(`${server.url}/`, { headers: { ...BROWSER, cookie: session! } })).status).toBe(200);
    expect(await (await fetch(`${server.url}/v1/whoami`, { headers: { cookie: session! } })).json()).toEqual({
      actor: { kind: 'person', id: 'sub-alice', name: 'Alice', email: 'alice@example.test', via: 'test-idp' },
      scopes: ['read', 'write'],
    });
  });

  it('keeps the pending sign-in in a SameSite=Lax cookie that names no secret, good for one callback', async () => {
    nextUser = 'bob';
    const form = await signInForm(server.url);
    const start = await fetch(`${server.url}/signin/test-idp`, { method: 'POST', redirect: 'manual', headers: { ...FORM, cookie: form.cookie }, body: new URLSearchParams({ csrf: form.csrf }) });
    const line = setCookies(start).get('snek_pending')!;
    expect(line).toMatch(/^snek_pending=[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+; Max-Age=600; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    const back = new URL((await fetch(start.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!);
    const callback = (cookie: string) => fetch(`${server.url}${back.pathname}${back.search}`, { redirect: 'manual', headers: { ...BROWSER, cookie } });
    expect((await callback(pair(line))).status).toBe(200);
    // Another browser (no pending cookie) cannot finish it, and a tampered cookie is none.
    for (const cookie of ['', `snek_pending=${pair(line).slice(13, -4)}AAAA`]) {
      const other = await callback(cookie);
      expect([other.status, setCookies(other).has('snek_session')]).toEqual([401, false]);
      expect(await other.text()).toContain('This sign-in expired, or began in another browser.');
    }
  });

  it('refuses a person whose groups grant no scope, and the page says why', async () => {
    const { callback, session } = await providerSignIn('carol');
    expect([callback.status, session]).toEqual([403, undefined]);
    expect(await callback.text()).toContain('You signed in with Example Corp as Carol, but you have no groups, and grant no scope on this server.');
  });

  it('needs the sign-in form’s CSRF token and a same-origin post to start', async () => {
    const form = await signInForm(server.url);
    const start = (headers: Record<string, string>, body: Record<string, string>) => fetch(`${server.url}/signin/test-idp`, { method: 'POST', redirect: 'manual', headers: { ...FORM, ...headers }, body: new URLSearchParams(body) });
    const missing = await start({ cookie: form.cookie }, {});
    expect([missing.status, missing.headers.get('location')]).toEqual([303, '/signin?failed=expired']);
    const foreignNonce = await start({ cookie: 'snek_signin=AAAAAAAAAAAAAAAAAAAAAA' }, { csrf: form.csrf });
    expect(foreignNonce.headers.get('location')).toBe('/signin?failed=expired');
    for (const headers of <Record<string, string>[]>[{ 'sec-fetch-site': 'cross-site' }, { origin: 'http://evil.test' }]) {
      const crossSite = await start({ ...headers, cookie: form.cookie }, { csrf: form.csrf });
      expect([crossSite.status, setCookies(crossSite).has('snek_pending')]).toEqual([403, false]);
    }
    expect((await fetch(`${server.url}/signin?failed=expired`)).status).toBe(200);
    expect((await start({ cookie: form.cookie }, { csrf: form.csrf })).status).toBe(303);
  });

  it('answers 404 for a provider it does not have', async () => {
    const form = await signInForm(server.url);
    const response = await fetch(`${server.url}/signin/nobody`, { method: 'POST', redirect: 'manual', headers: { ...FORM, cookie: form.cookie }, body: new URLSearchParams({ csrf: form.csrf }) });
    expect(response.status).toBe(404);
    expect((await fetch(`${server.url}/signin/nobody/callback?state=x`, { headers: BROWSER })).status).toBe(404);
  });
});

describe('loading server.auth.signIn', () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir('snek-auth-load-');
  });
  afterAll(async () => {
    await dir?.cleanup();
  });

  async function startWith(signIn: string, publicUrl = '  publicUrl: http://snek.example.test\n'): Promise<unknown> {
    await dir.write('.snekrc', `server:\n  store: memory\n  packs: []\n${publicUrl}  auth:\n    signIn:\n${signIn}`);
    const loaded = await loadConfig({ cwd: dir.path, env: { HOME: dir.path } });
    return startServer({ loaded, port: 0, env: {}, logger: pino({ level: 'silent' }) }).then(async (running) => {
      await running.close();
      return 'started';
    }, (error: unknown) => error);
  }

  it('tries a bare name as @snek/auth-x, then snek-auth-x, then x, and says so', async () => {
    const error = await startWith('      - use: nonesuch\n');
    expect(error).toMatchObject({ code: 'AUTH_NOT_FOUND', message: expect.stringContaining('Sign-in provider "nonesuch" (server.auth.signIn[0] in') });
    expect((error as Error).message).toContain('Tried @snek/auth-nonesuch, snek-auth-nonesuch, nonesuch');
  });

  it('refuses a provider built for another contract version, and two entries with one name', async () => {
    expect(await startWith(`      - use: ${path.join(FIXTURES, 'auth/api-v2')}\n`)).toMatchObject({ code: 'AUTH_API_VERSION', message: expect.stringContaining('declares apiVersion 2, but this server supports 1') });
    const twice = `      - { use: ${PROVIDER}, options: { idp: http://127.0.0.1:1 } }\n      - { use: ${PROVIDER}, options: { idp: http://127.0.0.1:1 } }\n`;
    expect(await startWith(twice)).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('server.auth.signIn[1]') });
    expect(await startWith(twice.replace('options: { idp: http://127.0.0.1:1 } }\n      - {', 'options: { idp: http://127.0.0.1:1 } }\n      - { name: second,'))).toBe('started');
  });

  it('refuses at start a provider that redirects when server.publicUrl is not set', async () => {
    const error = await startWith(`      - { use: ${PROVIDER}, options: { idp: http://127.0.0.1:1 } }\n`, '');
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('so it needs server.publicUrl') });
    expect((error as Error).message).toContain('register <publicUrl>/signin/test-idp/callback at the identity provider');
  });

  it('names the entry when a provider fails to start', async () => {
    expect(await startWith(`      - use: ${PROVIDER}\n`)).toMatchObject({ code: 'AUTH_OPTIONS_INVALID', message: expect.stringContaining('server.auth.signIn[0]') });
  });
});

describe('hostile input to the sign-in routes', () => {
  it('answers each with a 4xx or the form again, never a 5xx, and signs no one in', async () => {
    const form = await signInForm(server.url);
    const post = (pathname: string, body: string | Buffer, headers: Record<string, string> = {}) => ({ pathname, init: { method: 'POST', body, headers: { ...FORM, cookie: form.cookie, ...headers } } });
    const get = (pathname: string, headers: Record<string, string> = {}) => ({ pathname, init: { headers: { ...BROWSER, ...headers } } });
    const hostile = {
      'a 10 KiB form': post('/signin/test-idp', `csrf=${form.csrf}&x=${'a'.repeat(10_000)}`),
      'five fields': post('/signin/test-idp', `csrf=${form.csrf}&a=1&b=2&c=3&d=4`),
      'the CSRF token twice': post('/signin/test-idp', `csrf=${form.csrf}&csrf=${form.csrf}`),
      'a CSRF token of 10,000 characters': post('/signin/test-idp', `csrf=${'A'.repeat(10_000)}`),
      'JSON instead of a form': post('/signin/test-idp', JSON.stringify({ csrf: form.csrf }), { 'content-type': 'application/json' }),
      'a provider name of 10,000 characters': post(`/signin/${'p'.repeat(10_000)}`, `csrf=${form.csrf}`),
      'a provider name that is ..': post('/signin/%2e%2e', `csrf=${form.csrf}`),
      'a provider name that does not decode': post('/signin/%zz', `csrf=${form.csrf}`),
      'a token form with a NUL': post('/signin', `csrf=${form.csrf}&token=a%00b`),
      'a token of 10,000 characters': post('/signin', `csrf=${form.csrf}&token=${'t'.repeat(10_000)}`),
      'a callback without state': get('/signin/test-idp/callback'),
      'a callback with a 10 KiB query': get(`/signin/test-idp/callback?state=${'s'.repeat(10_000)}&user=alice`),
      'a callback with a pending cookie of 100 KiB': get('/signin/test-idp/callback?state=x&user=alice', { cookie: `snek_pending=${'a'.repeat(6_000)}` }),
      'a callback with a session cookie as its pending one': get('/signin/test-idp/callback?state=x&user=alice', { cookie: `snek_pending=${form.csrf}` }),
      'whoami with a 5,000-character bearer': get('/v1/whoami', { authorization: `Bearer fixture.${'a'.repeat(5_000)}` }),
      'whoami with a bearer of non-ASCII': get('/v1/whoami', { authorization: 'Bearer fixture.\u00e9\u00e9' }),
      'whoami with Basic auth': get('/v1/whoami', { authorization: 'Basic YWxpY2U6cGFzcw==' }),
    };
    for (const [what, { pathname, init }] of Object.entries(hostile)) {
      const response = await fetch(`${server.url}${pathname}`, { ...init, redirect: 'manual' });
      const signsIn = setCookies(response).has('snek_session');
      const okay = (response.status >= 400 && response.status < 500) || (response.status === 303 && response.headers.get('location')!.startsWith('/signin'));
      expect([what, okay ? 'refused' : response.status, signsIn]).toEqual([what, 'refused', false]);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('more than one provider, and https', () => {
  it('asks every provider: one that is down does not stop another, and its words stay in the log', async () => {
    const twoProviders = `server:\n  store: memory\n  packs: []\n  publicUrl: http://snek.example.test\n  auth:\n    signIn:\n      - { use: ${PROVIDER}, name: down, options: { idp: http://127.0.0.1:1, down: true } }\n      - { use: ${PROVIDER}, name: up, options: { idp: ${idpUrl}, people: { alice: { groups: [w] } }, scopes: { w: [read, write] } } }\n`;
    const two = await startTestServer({ snekrc: twoProviders });
    try {
      const alice = await two.request('/v1/whoami', { token: 'fixture.alice.sig' });
      expect(((await alice.json()) as { actor: unknown }).actor).toMatchObject({ id: 'sub-alice', via: 'up' });
      const nobody = await two.request('/v1/whoami', { token: 'fixture.nobody.sig' });
      const problem = (await nobody.json()) as { code: string; detail: string };
      expect([nobody.status, problem.code, problem.detail]).toEqual([503, 'AUTH_UNAVAILABLE', 'The sign-in provider "down" could not check the token. Try again shortly; the server\'s log has why.']);
    } finally {
      await two.stop();
    }
  });

  it('makes every sign-in cookie Secure and __Host- when publicUrl is https, and no answer that sets one is cached', async () => {
    const https = await startTestServer({ snekrc: `server:\n  store: memory\n  packs: []\n  publicUrl: https://snek.example.test\n  auth:\n    tokens:\n      - { name: writer, sha256: ${sha256('write-only-token')}, scopes: [write] }\n` });
    try {
      const page = await fetch(`${https.url}/signin`);
      expect([page.status, page.headers.get('cache-control')]).toEqual([200, 'no-store']);
      expect(page.headers.get('set-cookie')).toMatch(/^__Host-snek_signin=[\w-]{22}; Max-Age=3600; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Strict$/);
      // On a public server a token that may only write signs in too: the gallery is where it writes.
      const csrf = /name="csrf" value="([\w-]+)"/.exec(await page.text())![1]!;
      const signIn = await fetch(`${https.url}/signin`, { method: 'POST', redirect: 'manual', headers: { ...FORM, cookie: page.headers.get('set-cookie')!.split(';')[0]! }, body: new URLSearchParams({ csrf, token: 'write-only-token' }) });
      expect([signIn.status, signIn.headers.get('location'), signIn.headers.get('cache-control')]).toEqual([303, '/', 'no-store']);
      expect(signIn.headers.get('set-cookie')).toMatch(/^__Host-snek_session=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Strict$/);
    } finally {
      await https.stop();
    }
  });
});
