import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { sessionKeys } from '../src/index.js';
import { startTestServer, type TestServer } from './helpers/in-process.js';
import { tokenSignIn } from './helpers/sign-in.js';
import { cleanEnv, killAllServers, startServerProcess } from './helpers/server-process.js';

const READER = 'session-reader-secret-token';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const HTTPS = { 'x-forwarded-proto': 'https' };
const OLD_KEY = randomBytes(32).toString('base64');
const NEW_KEY = randomBytes(32).toString('base64');
const snekrc = (auth = '') => `server:\n  store: memory\n  trustProxy: true\n  auth:\n    read: token\n    sessionKeysEnv: SNEK_SESSION_KEYS\n${auth}    tokens:\n      - { name: reader, sha256: ${sha256(READER)}, scopes: [read] }\n`;

function signIn(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return tokenSignIn(url, READER, headers);
}

/** The `name=value` of the cookie a sign-in sets. */
async function sessionCookie(url: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await signIn(url, headers);
  expect(response.status).toBe(303);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

/** Where a browser with `cookie` lands on /: 200, or the 303 to /signin. */
async function galleryAnswer(url: string, cookie: string, headers: Record<string, string> = {}): Promise<number | string> {
  const response = await fetch(`${url}/`, { redirect: 'manual', headers: { ...BROWSER, ...headers, cookie } });
  return response.status === 303 ? response.headers.get('location')! : response.status;
}

/** The CSRF token the gallery's sign-out form carries for this cookie. */
async function csrfOf(url: string, cookie: string, headers: Record<string, string> = {}): Promise<string> {
  const html = await (await fetch(`${url}/`, { headers: { ...BROWSER, ...headers, cookie } })).text();
  const form = /<form method="post" action="\/signout">(.*?)<\/form>/.exec(html)![1]!;
  return /<input type="hidden" name="csrf" value="([\w-]+)">/.exec(form)![1]!;
}

function signOut(url: string, cookie: string, csrf?: string, headers: Record<string, string> = {}): Promise<Response> {
  const body = csrf === undefined ? '' : new URLSearchParams({ csrf }).toString();
  return fetch(`${url}/signout`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers, cookie }, body });
}

const withKeys = (keys: string, auth = '') => startTestServer({ snekrc: snekrc(auth), env: { SNEK_SESSION_KEYS: keys } });

let server: TestServer;
beforeAll(async () => {
  server = await withKeys(OLD_KEY);
});
afterAll(async () => {
  await server?.stop();
});

describe('the session cookie', () => {
  it('holds a sealed session (a JWE, dir + A256GCM), never the token, in any encoding', async () => {
    const setCookie = (await signIn(server.url)).headers.get('set-cookie')!;
    for (const encoding of ['utf8', 'base64', 'base64url', 'hex'] as const) {
      expect(setCookie).not.toContain(Buffer.from(READER).toString(encoding).replace(/=+$/, ''));
    }
    const value = setCookie.split(';')[0]!.slice('snek_session='.length);
    const parts = value.split('.');
    expect(parts).toHaveLength(5);
    expect(JSON.parse(Buffer.from(parts[0]!, 'base64url').toString())).toEqual({ alg: 'dir', enc: 'A256GCM' });
    for (const part of parts) expect(Buffer.from(part, 'base64url').toString('latin1')).not.toContain(READER);
  });

  it('lets a browser read the gallery and the API, and shows a sign-out form with a CSRF token', async () => {
    const cookie = await sessionCookie(server.url);
    expect(await galleryAnswer(server.url, cookie)).toBe(200);
    expect((await fetch(`${server.url}/v1/types`, { headers: { cookie } })).status).toBe(200);
    expect(await csrfOf(server.url, cookie)).toMatch(/^[\w-]{43}$/);
  });

  it('lasts server.auth.sessionHours: the cookie expires then', async () => {
    const timed = await withKeys(OLD_KEY, '    sessionHours: 2\n');
    try {
      const expires = /Expires=([^;]+)/.exec((await signIn(timed.url)).headers.get('set-cookie')!)![1]!;
      const hours = (Date.parse(expires) - Date.now()) / 3_600_000;
      expect(hours).toBeGreaterThan(1.9);
      expect(hours).toBeLessThanOrEqual(2);
    } finally {
      await timed.stop();
    }
  });

  it('is refused when tampered with: a browser is sent to sign in, curl gets 401', async () => {
    const cookie = await sessionCookie(server.url);
    const [name, value] = cookie.split('=') as [string, string];
    const parts = value.split('.');
    // Flip one character of the ciphertext, then of the tag; and drop the tag.
    const flip = (text: string) => (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
    const tampered = [[...parts.slice(0, 3), flip(parts[3]!), parts[4]], [...parts.slice(0, 4), flip(parts[4]!)], [...parts.slice(0, 4), '']].map((p) => `${name}=${p.join('.')}`);
    for (const bad of [...tampered, `${name}=garbage`, `${name}=${'A'.repeat(5000)}`]) {
      expect(await galleryAnswer(server.url, bad)).toBe('/signin');
      const text = await fetch(`${server.url}/s/cute`, { headers: { cookie: bad } });
      expect([text.status, text.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="snek"']);
    }
  });

  it('is refused when expired, though sealed with the server’s own key', async () => {
    const env = { SNEK_SESSION_KEYS: OLD_KEY };
    const person = { sub: 'token:reader', name: 'reader' };
    // The server's own sealing, with the same key: one session that has ended, and (the control) one that has not.
    const expired = await sessionKeys({ sessionKeysEnv: 'SNEK_SESSION_KEYS', sessionHours: 1e-9 }, env).seal(person, ['read']);
    const live = await sessionKeys({ sessionKeysEnv: 'SNEK_SESSION_KEYS', sessionHours: 1 }, env).seal(person, ['read']);
    expect(await galleryAnswer(server.url, `snek_session=${live.value}`)).toBe(200);
    expect(await galleryAnswer(server.url, `snek_session=${expired.value}`)).toBe('/signin');
  });

  it('never authorises a write, even for a session whose token may write', async () => {
    const sealed = await sessionKeys({ sessionKeysEnv: 'K' }, { K: OLD_KEY }).seal({ sub: 'token:SNEK_ADMIN_TOKEN' }, ['read', 'write']);
    const write = await fetch(`${server.url}/v1/sneks/sneaky`, { method: 'PUT', headers: { cookie: `snek_session=${sealed.value}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 's', type: 's', content: 's' }) });
    expect(write.status).toBe(401);
  });
});

describe('session keys (server.auth.sessionKeysEnv)', () => {
  it('rotate: a cookie sealed with the old key opens while the list is "new,old", not once it is "new"', async () => {
    const oldCookie = await sessionCookie(server.url);
    const rotating = await withKeys(`${NEW_KEY}, ${OLD_KEY}`);
    const rotated = await withKeys(NEW_KEY);
    const foreign = await withKeys(randomBytes(32).toString('base64'));
    try {
      expect(await galleryAnswer(rotating.url, oldCookie)).toBe(200);
      expect(await galleryAnswer(rotated.url, oldCookie)).toBe('/signin');
      expect(await galleryAnswer(foreign.url, oldCookie)).toBe('/signin');
      // The first key seals: a sign-in during the rotation already lasts past it.
      const newCookie = await sessionCookie(rotating.url);
      expect(await galleryAnswer(rotated.url, newCookie)).toBe(200);
      expect(await galleryAnswer(server.url, newCookie)).toBe('/signin');
    } finally {
      await Promise.all([rotating.stop(), rotated.stop(), foreign.stop()]);
    }
  });

  it('refuse to start when the variable is unset or a key is short, naming the variable', async () => {
    await expect(startTestServer({ snekrc: snekrc() })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('SNEK_SESSION_KEYS, which is not set') });
    await expect(withKeys(`${NEW_KEY},short`)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('Key 2 in SNEK_SESSION_KEYS') });
  });
});

describe('replicas', () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir('snek-sessions-');
    await dir.write('.snekrc', snekrc());
  });
  afterAll(async () => {
    killAllServers();
    await dir.cleanup();
  });

  it('that share the keys share the sessions; without keys each process has its own, and says so once', async () => {
    const env = cleanEnv(dir.path, { SNEK_SESSION_KEYS: `${NEW_KEY},${OLD_KEY}` });
    const [a, b] = await Promise.all([startServerProcess({ cwd: dir.path, env }), startServerProcess({ cwd: dir.path, env })]);
    const cookie = await sessionCookie(a.url);
    expect(await galleryAnswer(b.url, cookie)).toBe(200);
    expect((await fetch(`${b.url}/v1/sneks/cute`, { headers: { cookie } })).status).toBe(200);
    expect(a.output().stdout).not.toContain('sessionKeysEnv is not set');

    await dir.write('.snekrc', snekrc().replace('    sessionKeysEnv: SNEK_SESSION_KEYS\n', ''));
    const [c, d] = await Promise.all([startServerProcess({ cwd: dir.path, env }), startServerProcess({ cwd: dir.path, env })]);
    const own = await sessionCookie(c.url);
    expect(await galleryAnswer(c.url, own)).toBe(200);
    expect(await galleryAnswer(d.url, own)).toBe('/signin');
    const warnings = c.output().stdout.split('\n').filter((line) => line.includes('sessionKeysEnv is not set'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('end when the server restarts and are not shared with other replicas');
    for (const s of [a, b, c, d]) {
      await s.stop();
      expect(s.output().stdout).not.toContain(READER);
    }
  }, 60_000);
});

describe('sign-out', () => {
  it('needs the session’s CSRF token: none, a wrong one, or another session’s is 403 and keeps the cookie', async () => {
    const cookie = await sessionCookie(server.url);
    const other = await csrfOf(server.url, await sessionCookie(server.url));
    const csrf = await csrfOf(server.url, cookie);
    for (const bad of [undefined, '', 'wrong', other, `${csrf}x`]) {
      const refused = await signOut(server.url, cookie, bad);
      expect([bad, refused.status, refused.headers.get('set-cookie')]).toEqual([bad, 403, null]);
    }
    expect(await galleryAnswer(server.url, cookie)).toBe(200);
    // A right token from a foreign page is still refused: the same-origin check comes first.
    expect((await signOut(server.url, cookie, csrf, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const out = await signOut(server.url, cookie, csrf, { 'sec-fetch-site': 'same-origin' });
    expect([out.status, out.headers.get('location')]).toEqual([303, '/signin']);
    expect(out.headers.get('set-cookie')).toMatch(/^snek_session=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);
  });
});

describe('over https (a trusted proxy says X-Forwarded-Proto: https)', () => {
  it('names the cookie __Host-snek_session, Secure, Path=/, no Domain, and reads only that name', async () => {
    const response = await signIn(server.url, HTTPS);
    const setCookie = response.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^__Host-snek_session=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Strict$/);
    expect(setCookie).not.toMatch(/Domain=/i);
    const cookie = setCookie.split(';')[0]!;
    const value = cookie.slice('__Host-snek_session='.length);
    expect(await galleryAnswer(server.url, cookie, HTTPS)).toBe(200);
    // A plain-named cookie could be planted by plain http or a sibling domain: over https it does not count.
    expect(await galleryAnswer(server.url, `snek_session=${value}`, HTTPS)).toBe('/signin');
    const out = await signOut(server.url, cookie, await csrfOf(server.url, cookie, HTTPS), HTTPS);
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^__Host-snek_session=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict$/);
  });
});
