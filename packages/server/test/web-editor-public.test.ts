import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from './helpers/in-process.js';
import { tokenSignIn } from './helpers/sign-in.js';
import { readerWriterSnekrc } from './helpers/token-config.js';

// On a public server anyone reads, but only a signed-in writer sees the editor and may use it.
const READER = 'public-editor-reader';
const WRITER = 'public-editor-writer';
const SNEKRC = readerWriterSnekrc(READER, WRITER, 'public');
const HTML = { accept: 'text/html' };
const FORM = 'application/x-www-form-urlencoded';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ snekrc: SNEKRC, env: { SNEK_ADMIN_TOKEN: '' } });
});
afterAll(() => server.stop());

async function session(token: string): Promise<{ cookie: string; csrf: string }> {
  const response = await tokenSignIn(server.url, token);
  expect(response.status).toBe(303);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('snek_session='))!.split(';')[0]!;
  const page = await (await fetch(`${server.url}/`, { headers: { ...HTML, cookie } })).text();
  return { cookie, csrf: /action="\/signout"><input type="hidden" name="csrf" value="([\w-]+)"/.exec(page)![1]! };
}

const page = (path: string, cookie = '') => fetch(server.url + path, { redirect: 'manual', headers: { ...HTML, ...(cookie ? { cookie } : {}) } });
const post = (path: string, cookie: string, fields: Record<string, string>) =>
  fetch(server.url + path, { method: 'POST', redirect: 'manual', headers: { ...HTML, cookie, 'content-type': FORM }, body: new URLSearchParams(fields) });

describe('the editor on a public server', () => {
  it('shows no editing controls to anyone not signed in as a writer, and sends them to sign in', async () => {
    const anonymous = await page('/s/cute');
    const html = await anonymous.text();
    expect(html).not.toContain('href="/new"');
    expect(html).not.toContain('/s/cute/edit');
    // A page that may show controls to a writer differs by cookie, so no cache hands a writer's page to someone else.
    expect(anonymous.headers.get('vary')).toMatch(/cookie/i);
    for (const path of ['/new', '/s/cute/edit', '/s/cute/delete']) {
      const response = await page(path);
      expect([path, response.status, response.headers.get('location')]).toEqual([path, 303, '/signin']);
    }
    const reader = await session(READER);
    const readerPage = await (await page('/s/cute', reader.cookie)).text();
    expect(readerPage).not.toContain('/s/cute/edit');
    expect((await page('/new', reader.cookie)).status).toBe(403);
    expect((await post('/new', reader.cookie, { csrf: reader.csrf, id: 'by-reader', name: 'R', type: 'r', content: 'r' })).status).toBe(403);
    expect((await server.request('/v1/sneks/by-reader')).status).toBe(404);
  });

  it('lets a writer create, edit and delete, each page private to that session', async () => {
    const writer = await session(WRITER);
    const gallery = await page('/', writer.cookie);
    expect(await gallery.text()).toContain('href="/new"');
    expect(gallery.headers.get('cache-control')).toBe('private');
    const form = await page('/new', writer.cookie);
    expect(form.headers.get('cache-control')).toBe('no-store');
    const created = await post('/new', writer.cookie, { csrf: writer.csrf, id: '', name: 'Public Snek', type: 'public', content: 'one\r\ntwo' });
    expect([created.status, created.headers.get('location')]).toEqual([303, '/s/public-snek?saved=1']);
    // The editor writes as the session's signer: the API's answer names them.
    expect(await (await server.request('/v1/sneks/public-snek')).json()).toEqual({ id: 'public-snek', name: 'Public Snek', type: 'public', content: 'one\ntwo', updatedAt: expect.any(String), updatedBy: { kind: 'token', name: 'writer' } });
    const editPage = await (await page('/s/public-snek/edit', writer.cookie)).text();
    const etag = /name="etag" value="([^"]+)"/.exec(editPage)![1]!.replaceAll('&quot;', '"');
    expect(etag).toBe((await server.request('/v1/sneks/public-snek')).headers.get('etag'));
    expect((await post('/s/public-snek/edit', writer.cookie, { csrf: writer.csrf, etag, name: 'Public Snek', type: 'public', content: 'three' })).status).toBe(303);
    // The same ETag again is stale now: a conflict page, and no write.
    const stale = await post('/s/public-snek/edit', writer.cookie, { csrf: writer.csrf, etag, name: 'Public Snek', type: 'public', content: 'four' });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('four</textarea>');
    const now = await server.request('/v1/sneks/public-snek');
    expect(((await now.json()) as { content: string }).content).toBe('three');
    expect((await post('/s/public-snek/delete', writer.cookie, { csrf: writer.csrf, etag: now.headers.get('etag')! })).status).toBe(303);
    expect((await server.request('/v1/sneks/public-snek')).status).toBe(404);
  });
});
