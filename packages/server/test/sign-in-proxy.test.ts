import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from './helpers/in-process.js';
import { signInForm } from './helpers/sign-in.js';

// The proxy sign-in with the real server: an authenticating proxy on 127.0.0.1 is trusted; a client on another
// address (on Linux all of 127.0.0.0/8 is loopback, so 127.0.0.2 is a second machine) sends the same headers in vain.
const TRUSTED = '127.0.0.1';
const UNTRUSTED = '127.0.0.2';
const SNEKRC = JSON.stringify({
  server: {
    auth: {
      read: 'token',
      signIn: [{ use: 'proxy', options: { trustedProxies: [TRUSTED], scopes: { 'snek-readers': ['read'], 'snek-writers': ['read', 'write'] } } }],
    },
  },
});
const ALICE = { 'x-forwarded-user': 'alice', 'x-forwarded-email': 'alice@example.test', 'x-forwarded-groups': 'staff, snek-writers' };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request from `from` (the TCP source address the server sees as the peer). */
function send(server: TestServer, from: string, method: string, path: string, headers: Record<string, string | string[]> = {}, body?: string): Promise<Answer> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, localAddress: from, headers: { connection: 'close', ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** POST /signin/proxy as the sign-in page's form does: its nonce cookie and CSRF token, from the server's own origin. */
async function postSignIn(server: TestServer, from: string, headers: Record<string, string | string[]>): Promise<Answer> {
  const form = await signInForm(server.url);
  return send(server, from, 'POST', '/signin/proxy', { ...headers, origin: server.url, 'sec-fetch-site': 'same-origin', cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ csrf: form.csrf }).toString());
}

const sessionCookie = (answer: Answer) => {
  const cookies = [answer.headers['set-cookie'] ?? []].flat();
  return cookies.map((cookie) => cookie.split(';')[0]!).find((cookie) => cookie.startsWith('snek_session='));
};

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ snekrc: SNEKRC, env: { SNEK_STORE: 'memory' } });
});
afterAll(async () => {
  await server.stop();
});

describe('the proxy sign-in provider in the real server', () => {
  it('is listed by GET /v1/auth, with its browser sign-in and nothing secret', async () => {
    const answer = await send(server, UNTRUSTED, 'GET', '/v1/auth');
    expect([answer.status, JSON.parse(answer.body)]).toEqual([200, { read: 'token', tokens: true, signIn: [{ name: 'proxy', displayName: "your company's sign-in", browser: '/signin/proxy' }] }]);
  });

  it('headers from the trusted address sign in: POST /signin/proxy makes a session, and the session reads', async () => {
    const signIn = await postSignIn(server, TRUSTED, ALICE);
    expect([signIn.status, signIn.headers['location']]).toEqual([303, '/']);
    const cookie = sessionCookie(signIn);
    expect(cookie).toBeDefined();
    // The session is the browser's now: it reads from anywhere, without the proxy's headers.
    const read = await send(server, UNTRUSTED, 'GET', '/v1/sneks?name=cute', { cookie: cookie! });
    expect([read.status, JSON.parse(read.body).items.map((s: { id: string }) => s.id)]).toEqual([200, ['cute']]);
    const who = await send(server, UNTRUSTED, 'GET', '/v1/whoami', { cookie: cookie! });
    expect(JSON.parse(who.body)).toEqual({ actor: { kind: 'person', id: 'alice', email: 'alice@example.test', via: 'proxy' }, scopes: ['read', 'write'] });
  });

  it('headers from the trusted address count for reads as they come, and never for writes', async () => {
    const read = await send(server, TRUSTED, 'GET', '/v1/sneks/cute', ALICE);
    expect(read.status).toBe(200);
    const who = await send(server, TRUSTED, 'GET', '/v1/whoami', ALICE);
    expect(JSON.parse(who.body)).toMatchObject({ actor: { kind: 'person', id: 'alice', via: 'proxy' } });
    const write = await send(server, TRUSTED, 'PUT', '/v1/sneks/proxied', { ...ALICE, 'content-type': 'application/json' }, JSON.stringify({ name: 'Proxied', type: 'proxy', content: 'x\n' }));
    expect(write.status).toBe(401);
    expect((await send(server, TRUSTED, 'GET', '/v1/sneks/proxied', ALICE)).status).toBe(404);
  });

  it('the same headers from an untrusted address are ignored: no session, no reads, nobody', async () => {
    const signIn = await postSignIn(server, UNTRUSTED, ALICE);
    expect(signIn.status).toBe(401);
    expect(sessionCookie(signIn)).toBeUndefined();
    expect(signIn.body).toContain('did not come through the sign-in proxy the server trusts');
    const read = await send(server, UNTRUSTED, 'GET', '/v1/sneks/cute', ALICE);
    expect([read.status, JSON.parse(read.body).code]).toEqual([401, 'UNAUTHORIZED']);
    const who = await send(server, UNTRUSTED, 'GET', '/v1/whoami', ALICE);
    expect([who.status, JSON.parse(who.body)]).toEqual([200, { actor: null, scopes: [] }]);
  });

  it('a trusted proxy that names someone with no scope, a user twice, or an over-long user, signs no one in', async () => {
    const noScope = await postSignIn(server, TRUSTED, { 'x-forwarded-user': 'carol', 'x-forwarded-groups': 'staff' });
    expect([noScope.status, sessionCookie(noScope)]).toEqual([403, undefined]);
    expect(noScope.body).toContain('grant no scope on this server');
    expect((await send(server, TRUSTED, 'GET', '/v1/sneks/cute', { 'x-forwarded-user': 'carol', 'x-forwarded-groups': 'staff' })).status).toBe(401);
    // A user header sent twice (a client's, then the proxy's own) is believed in neither copy.
    const twice = await postSignIn(server, TRUSTED, { ...ALICE, 'x-forwarded-user': ['mallory', 'alice'] });
    expect([twice.status, sessionCookie(twice)]).toEqual([401, undefined]);
    expect((await send(server, TRUSTED, 'GET', '/v1/sneks/cute', { ...ALICE, 'x-forwarded-user': ['mallory', 'alice'] })).status).toBe(401);
    // An over-long user is ignored too (the unit tests cover the rest: Node will not even send a control character).
    expect((await send(server, TRUSTED, 'GET', '/v1/sneks/cute', { ...ALICE, 'x-forwarded-user': 'a'.repeat(257) })).status).toBe(401);
  });
});
