import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './helpers/in-process.js';
import { tokenSignIn } from './helpers/sign-in.js';

const SNEKS_DIR = new URL('../../pack-classic/sneks/', import.meta.url);
const READER = 'gallery-reader-secret';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const SQLITE = 'server:\n  store: { use: sqlite, options: { file: ./data/sneks.db } }\n';
const PRIVATE = `${SQLITE}  trustProxy: true\n  auth:\n    read: token\n    tokens:\n      - { name: reader, sha256: ${sha256(READER)}, scopes: [read] }\n`;
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const XSS = { id: 'xss', name: '<script>alert(1)</script>', type: 'evil', content: '</pre><script>alert(2)</script>\n<img src=x onerror=alert(3)>' };

let open: TestServer;
let locked: TestServer;
beforeAll(async () => {
  open = await startTestServer({ snekrc: SQLITE });
  locked = await startTestServer({ snekrc: PRIVATE });
  expect((await open.request(`/v1/sneks/${XSS.id}`, { method: 'PUT', json: XSS })).status).toBe(201);
});
afterAll(async () => {
  await open?.stop();
  await locked?.stop();
});

describe('GET /s/:id without a browser (curl)', () => {
  it('prints the art and a newline, and nothing else, with Vary: Accept', async () => {
    const file = await readFile(new URL('cute.txt', SNEKS_DIR), 'utf8');
    const response = await fetch(`${open.url}/s/cute`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('vary')).toMatch(/\bAccept\b/);
    expect(await response.text()).toBe(file.endsWith('\n') ? file : `${file}\n`);
  });

  it('works with the real curl, run as the README writes it', async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const line = /```sh\n(curl http:\/\/localhost:8000\/s\/(\w+))\n```/.exec(readme);
    expect(line).not.toBeNull();
    const [command, ...args] = line![1]!.replace('http://localhost:8000', open.url).split(' ');
    const { stdout } = await promisify(execFile)(command!, ['--silent', '--show-error', ...args]);
    const file = await readFile(new URL(`${line![2]}.txt`, SNEKS_DIR), 'utf8');
    expect(stdout).toBe(file.endsWith('\n') ? file : `${file}\n`);
  });

  it('answers a missing snek with a one-line plain-text 404, and a bad id with a one-line 400', async () => {
    const missing = await fetch(`${open.url}/s/nope`);
    expect([missing.status, missing.headers.get('content-type')]).toEqual([404, 'text/plain; charset=utf-8']);
    const text = await missing.text();
    expect(text).toMatch(/^There is no snek "nope"\..*\n$/);
    expect(text.split('\n')).toHaveLength(2);
    const bad = await fetch(`${open.url}/s/NOT%20A%20SLUG`);
    expect(bad.status).toBe(400);
    expect((await bad.text()).split('\n')).toHaveLength(2);
  });

  it('answers a browser with an HTML page for the same URL', async () => {
    const response = await fetch(`${open.url}/s/cute`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain('<h1>cute</h1>');
  });
});

describe('the gallery HTML', () => {
  it('escapes names and art: the XSS snek is text, with no tag of its own', async () => {
    for (const path of ['/', '/s/xss', '/?type=evil', '/?q=alert']) {
      const html = await (await fetch(open.url + path, { headers: { accept: BROWSER_ACCEPT } })).text();
      expect(html).toContain(path === '/?q=alert' ? '&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;' : '&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toMatch(/<script>alert|<img src=x|<\/pre><script/);
    }
  });

  it('says that no snek has a type that none has, and links to all of them', async () => {
    const html = await (await fetch(`${open.url}/?type=nosuch`, { headers: { accept: BROWSER_ACCEPT } })).text();
    expect(html).toContain('There is no snek of type nosuch.');
    expect(html).toContain('<a href="/">See all sneks</a>');
    expect(html).not.toContain('There are no sneks here yet.');
  });

  it('keeps the page itself (HTML, CSS and script, without the art) under 30 KB on a full page', async () => {
    for (let i = 0; i < 50; i += 1) {
      await open.request(`/v1/sneks/size-${i}`, { method: 'PUT', json: { name: `Size snek number ${i}`, type: `size-${i % 7}`, content: '~~~~<' } });
    }
    const html = await (await fetch(`${open.url}/`)).text();
    const assets = [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
    expect(assets).toHaveLength(2);
    const assetBytes = await Promise.all(assets.map(async (asset) => (await (await fetch(open.url + asset)).arrayBuffer()).byteLength));
    const withoutArt = html.replace(/(<pre role="img"[^>]*>)[\s\S]*?<\/pre>/g, '$1</pre>');
    expect(withoutArt.match(/<pre role="img"/g)).toHaveLength(48);
    const total = Buffer.byteLength(withoutArt) + assetBytes.reduce((a, b) => a + b, 0);
    console.log(`gallery page without art: HTML ${Buffer.byteLength(withoutArt)} B + CSS/JS ${assetBytes.join(' + ')} B = ${total} B`);
    expect(total).toBeLessThanOrEqual(30 * 1024);
  });

  it('serves its assets with a content hash in the name and a year of immutable caching', async () => {
    const html = await (await fetch(`${open.url}/`)).text();
    const css = /href="(\/assets\/gallery\.[\w-]{12}\.css)"/.exec(html)![1]!;
    const response = await fetch(open.url + css);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${open.url}/assets/gallery.000000000000.css`)).status).toBe(404);
  });

  it('keeps helmet’s Content-Security-Policy as it is on every page', async () => {
    const api = (await fetch(`${open.url}/v1/types`)).headers.get('content-security-policy');
    expect(api).toContain("script-src 'self'");
    for (const path of ['/', '/s/cute']) {
      expect((await fetch(open.url + path, { headers: { accept: BROWSER_ACCEPT } })).headers.get('content-security-policy')).toBe(api);
    }
  });
});

describe('upgrade-insecure-requests', () => {
  it('is sent only over https, so a plain-http server reached by name keeps its own CSS and script', async () => {
    const plain = (await fetch(`${open.url}/`, { headers: { accept: BROWSER_ACCEPT } })).headers.get('content-security-policy')!;
    expect(plain).not.toContain('upgrade-insecure-requests');
    // The private server trusts its proxy (trustProxy: true); the open one does not.
    const proxied = { 'x-forwarded-proto': 'https' };
    expect((await fetch(`${locked.url}/healthz`, { headers: proxied })).headers.get('content-security-policy')).toBe(`${plain};upgrade-insecure-requests`);
    expect((await fetch(`${open.url}/healthz`, { headers: proxied })).headers.get('content-security-policy')).toBe(plain);
  });
});

describe('a private server (auth.read: token)', () => {
  const signIn = (token: string, headers: Record<string, string> = {}) => tokenSignIn(locked.url, token, headers);

  it('sends a browser to the sign-in form, and tells curl which header to send', async () => {
    const page = await fetch(`${locked.url}/`, { redirect: 'manual', headers: { accept: BROWSER_ACCEPT } });
    expect([page.status, page.headers.get('location')]).toEqual([303, '/signin']);
    const text = await fetch(`${locked.url}/s/cute`);
    expect([text.status, text.headers.get('content-type')]).toEqual([401, 'text/plain; charset=utf-8']);
    const line = await text.text();
    expect(line.split('\n')).toHaveLength(2);
    expect(line).toContain(`curl -H "Authorization: Bearer $SNEK_TOKEN" ${locked.url}/s/cute`);
    const wrong = await fetch(`${locked.url}/s/cute`, { headers: { authorization: 'Bearer wrong' } });
    expect([wrong.status, (await wrong.text()).startsWith('The bearer token is not valid on this server.')]).toEqual([401, true]);
  });

  it('prints the art to curl with a bearer header', async () => {
    const response = await fetch(`${locked.url}/s/cute`, { headers: { authorization: `Bearer ${READER}` } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`${await readFile(new URL('cute.txt', SNEKS_DIR), 'utf8')}\n`.replace(/\n\n$/, '\n'));
  });

  it('sets an HttpOnly, SameSite=Strict session cookie on sign-in, __Host- and Secure only behind a trusted https proxy', async () => {
    const plain = await signIn(READER);
    expect([plain.status, plain.headers.get('location')]).toEqual([303, '/']);
    const cookie = plain.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^snek_session=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    const proxied = await signIn(READER, { 'x-forwarded-proto': 'https' });
    expect(proxied.headers.get('set-cookie')).toMatch(/^__Host-snek_session=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Strict$/);
    const wrong = await signIn('not-the-token');
    expect([wrong.status, wrong.headers.get('location'), wrong.headers.get('set-cookie')]).toEqual([303, '/signin?failed=invalid', null]);
    expect(await (await fetch(`${locked.url}/signin?failed=invalid`)).text()).toContain('That token is not valid on this server.');
    expect(await (await fetch(`${locked.url}/signin?failed=<b>hi</b>`)).text()).not.toContain('role="alert"');
  });

  it('does not trust X-Forwarded-Proto unless server.trustProxy says so', async () => {
    const untrusting = await startTestServer({ snekrc: PRIVATE.replace('  trustProxy: true\n', '') });
    try {
      const response = await tokenSignIn(untrusting.url, READER, { 'x-forwarded-proto': 'https' });
      expect(response.status).toBe(303);
      expect(response.headers.get('set-cookie')).toMatch(/^snek_session=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    } finally {
      await untrusting.stop();
    }
  });

  it('accepts the cookie for reads only: the API reads with it, a write with it alone is 401', async () => {
    const cookie = (await signIn(READER)).headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${locked.url}/v1/types`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${locked.url}/`, { headers: { cookie } })).status).toBe(200);
    const adminCookie = (await signIn(ADMIN_TOKEN)).headers.get('set-cookie')!.split(';')[0]!;
    const write = await fetch(`${locked.url}/v1/sneks/sneaky`, { method: 'PUT', headers: { cookie: adminCookie, 'content-type': 'application/json' }, body: JSON.stringify({ name: 's', type: 's', content: 's' }) });
    expect(write.status).toBe(401);
    expect((await fetch(`${locked.url}/v1/sneks/sneaky`, { headers: { cookie: adminCookie } })).status).toBe(404);
  });

  it('takes sign-in and sign-out posts only from its own pages: another site cannot sign a browser in or out', async () => {
    for (const headers of <Record<string, string>[]>[{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'http://evil.test' }, { origin: 'null' }]) {
      const signin = await signIn(READER, headers);
      expect([signin.status, signin.headers.get('set-cookie')]).toEqual([403, null]);
      const signout = await fetch(`${locked.url}/signout`, { method: 'POST', redirect: 'manual', headers });
      expect([signout.status, signout.headers.get('set-cookie')]).toEqual([403, null]);
    }
    for (const headers of <Record<string, string>[]>[{ 'sec-fetch-site': 'same-origin' }, { origin: locked.url }, {}]) {
      expect((await signIn(READER, headers)).headers.get('set-cookie')).toMatch(/^snek_session=/);
    }
  });

  it('clears the cookie on sign-out', async () => {
    // Without a session there is no one to act for, so no CSRF token is asked for; web-sessions.test.ts signs out a session.
    const out = await fetch(`${locked.url}/signout`, { method: 'POST', redirect: 'manual' });
    expect([out.status, out.headers.get('location')]).toEqual([303, '/signin']);
    expect(out.headers.get('set-cookie')).toMatch(/^snek_session=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);
  });
});

describe('server.web: false', () => {
  it('serves the API only: /, /s/:id, the assets and /signin are 404 problems', async () => {
    const apiOnly = await startTestServer({ snekrc: `${SQLITE}  web: false\n` });
    try {
      for (const path of ['/', '/s/cute', '/signin']) {
        const response = await fetch(apiOnly.url + path);
        expect([path, response.status, response.headers.get('content-type')]).toEqual([path, 404, 'application/problem+json; charset=utf-8']);
      }
      expect((await fetch(`${apiOnly.url}/v1/sneks/cute`)).status).toBe(200);
    } finally {
      await apiOnly.stop();
    }
  });
});
