import { createHash } from 'node:crypto';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './helpers/in-process.js';
import { tokenSignIn } from './helpers/sign-in.js';

// Defects 4.5, 4.6 and 4.8 of issue 16, each seen from outside: the real server on loopback, the real stores.
const READER = 'manners-reader-secret';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const SQLITE = 'server:\n  store: { use: sqlite, options: { file: ./data/sneks.db } }\n';
const PRIVATE = `${SQLITE}  auth:\n    read: token\n    tokens:\n      - { name: reader, sha256: ${sha256(READER)}, scopes: [read] }\n`;
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let open: TestServer & { dir: string };
let locked: TestServer & { dir: string };
beforeAll(async () => {
  open = await startTestServer({ snekrc: SQLITE });
  locked = await startTestServer({ snekrc: PRIVATE, readToken: READER });
});
afterAll(async () => {
  await open?.stop();
  await locked?.stop();
});

describe('health checks (4.5)', () => {
  it('a private server answers /healthz and /readyz to a balancer with no token: status only', async () => {
    const live = await locked.request('/healthz', { token: null });
    expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await locked.request('/readyz', { token: null });
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('a public server shows no store details, such as the SQLite file, to a request without a token', async () => {
    const ready = await open.request('/readyz', { token: null });
    const text = await ready.text();
    expect([ready.status, JSON.parse(text)]).toEqual([200, { status: 'ready' }]);
    expect(text).not.toContain(open.dir);
  });

  it('shows the store and its status to a token with the read scope, on a private and a public server', async () => {
    expect(await (await locked.request('/readyz', { token: READER })).json()).toMatchObject({ status: 'ready', store: 'sqlite', file: `${locked.dir}/data/sneks.db` });
    expect(await (await open.request('/readyz')).json()).toMatchObject({ status: 'ready', store: 'sqlite', file: `${open.dir}/data/sneks.db` });
  });

  it('a wrong token still gets the status, and nothing more', async () => {
    const ready = await locked.request('/readyz', { token: 'not-a-token' });
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('health answers are never stored by a cache, and vary with the credentials', async () => {
    for (const server of [open, locked]) {
      const ready = await server.request('/readyz', { token: null });
      expect(ready.headers.get('cache-control')).toBe('no-store');
      expect(ready.headers.get('vary')).toMatch(/Authorization, Cookie/);
    }
  });
});

describe('caches on a private server (4.6)', () => {
  const plainGet = (url: string, headers: Record<string, string>) =>
    new Promise<{ status: number; headers: Headers }>((resolve, reject) => {
      get(url, { headers }, (res) => {
        res.resume().on('end', () => resolve({ status: res.statusCode!, headers: new Headers(res.headers as Record<string, string>) }));
      }).on('error', reject);
    });
  const expectPrivate = (response: { headers: Headers }, label: string) => {
    expect([label, response.headers.get('cache-control'), response.headers.get('vary')]).toEqual([label, 'private', expect.stringMatching(/\bAuthorization, Cookie\b/)]);
  };

  it('marks API answers to a token private, 304s included, and varies them on Authorization and Cookie', async () => {
    const first = await locked.request('/v1/sneks/cute', { token: READER });
    expectPrivate(first, 'GET /v1/sneks/cute');
    const again = await locked.request('/v1/sneks/cute', { token: READER, headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expectPrivate(again, '304 /v1/sneks/cute');
    for (const path of ['/v1/sneks?type=cute', '/v1/types', '/sneks?name=cute', '/openapi.json']) expectPrivate(await locked.request(path, { token: READER }), path);
  });

  it('marks the gallery private, to a cookie and to a bearer token, and its 304s', async () => {
    const signIn = await tokenSignIn(locked.url, READER);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const page = await fetch(`${locked.url}/`, { headers: { cookie, accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(200);
    expectPrivate(page, 'GET / with a cookie');
    // node:http, as a browser revalidates: fetch() adds Cache-Control: no-cache, and express then skips the 304.
    const unchanged = await plainGet(`${locked.url}/`, { cookie, accept: BROWSER_ACCEPT, 'if-none-match': page.headers.get('etag')! });
    expect(unchanged.status).toBe(304);
    expectPrivate(unchanged, '304 / with a cookie');
    expectPrivate(await fetch(`${locked.url}/s/cute`, { headers: bearer(READER) }), 'GET /s/cute with a token');
    expectPrivate(await fetch(`${locked.url}/v1/types`, { headers: { cookie } }), 'GET /v1/types with a cookie');
  });

  it('varies its refusals too, so a cache cannot hand a 401 to someone with a token', async () => {
    const refused = await locked.request('/v1/sneks/cute', { token: null });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('vary')).toMatch(/\bAuthorization, Cookie\b/);
  });
});

describe('behaviour as the README documents it (4.8)', () => {
  it('answers a body in another charset than UTF-8 with 415', async () => {
    const body = JSON.stringify({ name: 'wide', type: 'wide', content: 'wide' });
    for (const charset of ['utf-16', 'utf-16le', 'latin1']) {
      const response = await open.request('/v1/sneks/wide', { method: 'PUT', body, headers: { 'content-type': `application/json; charset=${charset}` } });
      expect([charset, response.status, ((await response.json()) as { code: string }).code]).toEqual([charset, 415, 'UNSUPPORTED_MEDIA_TYPE']);
    }
    const utf8 = await open.request('/v1/sneks/wide', { method: 'PUT', body, headers: { 'content-type': 'application/json; charset=UTF-8' } });
    expect(utf8.status).toBe(201);
  });

  it('answers unknown query parameters of the prototype’s /sneks with 400, as /v1 does', async () => {
    for (const query of ['type=cute', 'x=1', 'name=cute&limit=2']) {
      const response = await open.request(`/sneks?${query}`);
      expect([query, response.status, ((await response.json()) as { code: string }).code]).toEqual([query, 400, 'SNEK_INVALID']);
    }
    expect((await open.request('/sneks?name=cute')).status).toBe(200);
  });

  it.each([
    ['POST', '/v1/sneks', 'GET, HEAD'],
    ['PATCH', '/v1/sneks/cute', 'GET, HEAD, PUT, DELETE'],
    ['POST', '/v1/sneks/cute', 'GET, HEAD, PUT, DELETE'],
    ['DELETE', '/v1/types', 'GET, HEAD'],
    ['PUT', '/v1/packs', 'GET, HEAD'],
    ['POST', '/sneks', 'GET, HEAD'],
    ['POST', '/readyz', 'GET, HEAD'],
    ['DELETE', '/openapi.json', 'GET, HEAD'],
    ['POST', '/s/cute', 'GET, HEAD'],
    ['GET', '/signout', 'POST'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    for (const server of [open, locked]) {
      const response = await server.request(path, { method, token: null });
      expect([response.status, response.headers.get('allow'), response.headers.get('content-type')]).toEqual([405, allow, 'application/problem+json; charset=utf-8']);
      expect(await response.json()).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    }
  });

  it('still answers OPTIONS, with Allow, and a CORS preflight where CORS is on', async () => {
    const options = await fetch(`${open.url}/v1/sneks/cute`, { method: 'OPTIONS' });
    expect([options.status < 300, options.headers.get('allow')]).toEqual([true, 'GET, HEAD, PUT, DELETE']);
    const withCors = await startTestServer({ snekrc: 'server:\n  store: memory\n  cors: [https://sneks.example]\n' });
    try {
      const preflight = await fetch(`${withCors.url}/v1/sneks/cute`, { method: 'OPTIONS', headers: { origin: 'https://sneks.example', 'access-control-request-method': 'PUT' } });
      expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, 'https://sneks.example']);
    } finally {
      await withCors.stop();
    }
  });

  it('sends WWW-Authenticate on every 401: API problems and the plain-text sneks, a wrong token as invalid_token', async () => {
    const cases: Array<[string, Promise<Response>, string]> = [
      ['private API, no token', locked.request('/v1/sneks/cute', { token: null }), 'Bearer realm="snek"'],
      ['private API, wrong token', locked.request('/v1/sneks/cute', { token: 'wrong' }), 'Bearer realm="snek", error="invalid_token"'],
      ['private docs, no token', locked.request('/openapi.json', { token: null }), 'Bearer realm="snek"'],
      ['public write, no token', open.request('/v1/sneks/x', { method: 'DELETE', token: null }), 'Bearer realm="snek"'],
      ['public write, wrong token', open.request('/v1/sneks/x', { method: 'DELETE', token: 'wrong' }), 'Bearer realm="snek", error="invalid_token"'],
      ['curl /s/cute, no token', fetch(`${locked.url}/s/cute`), 'Bearer realm="snek"'],
      ['curl /s/cute, wrong token', fetch(`${locked.url}/s/cute`, { headers: bearer('wrong') }), 'Bearer realm="snek", error="invalid_token"'],
    ];
    for (const [label, pending, expected] of cases) {
      const response = await pending;
      expect([label, response.status, response.headers.get('www-authenticate')]).toEqual([label, 401, expected]);
    }
  });

  it('sends no WWW-Authenticate where the answer is not a 401', async () => {
    expect((await locked.request('/v1/sneks/cute', { token: READER })).headers.get('www-authenticate')).toBeNull();
    expect((await locked.request('/v1/sneks/cute', { method: 'DELETE', token: READER })).headers.get('www-authenticate')).toBeNull();
    expect((await open.request('/v1/sneks/cute', { token: ADMIN_TOKEN })).headers.get('www-authenticate')).toBeNull();
  });
});
