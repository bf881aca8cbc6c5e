import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HISTORY_PAGE_SIZE } from '../src/web/history-routes.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './helpers/in-process.js';
import { tokenSignIn } from './helpers/sign-in.js';

// The history pages' HTML, without a browser (web-history.test.ts drives them in Chromium): paging through more
// revisions than a page holds, a restore whose snek came back meanwhile, and a store that keeps no log at all.
const HTML = 'text/html';
const NO_LOG_STORE = fileURLToPath(new URL('./fixtures/stores/no-conditional/', import.meta.url));

async function page(server: TestServer, path: string, cookie = ''): Promise<{ status: number; html: string }> {
  const response = await fetch(`${server.url}${path}`, { headers: { accept: HTML, ...(cookie ? { cookie } : {}) } });
  return { status: response.status, html: await response.text() };
}

async function writerSession(server: TestServer): Promise<{ cookie: string; csrf: string }> {
  const response = await tokenSignIn(server.url, ADMIN_TOKEN);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('snek_session='))!.split(';')[0]!;
  const { html } = await page(server, '/', cookie);
  return { cookie, csrf: /name="csrf" value="([\w-]+)"/.exec(html)![1]! };
}

const headings = (html: string) => [...html.matchAll(/<h2 id="rev-(\d+)">/g)].map((match) => Number(match[1]));
const decode = (text: string) => text.replaceAll('&quot;', '"').replaceAll('&amp;', '&');

describe('the history page on a store with a change log', () => {
  let server: TestServer & { dir: string };
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it(`pages ${HISTORY_PAGE_SIZE} revisions at a time, and diffs a page's oldest against the next page's newest`, async () => {
    const total = HISTORY_PAGE_SIZE + 3;
    for (let i = 1; i <= total; i += 1) {
      expect((await server.request('/v1/sneks/paged', { method: 'PUT', json: { name: 'Paged', type: 'paged', content: `line\nversion ${i}` } })).status).toBeLessThan(300);
    }
    const first = await page(server, '/s/paged/history');
    expect(first.status).toBe(200);
    const firstSeqs = headings(first.html);
    expect(firstSeqs).toHaveLength(HISTORY_PAGE_SIZE);
    expect(firstSeqs).toEqual([...firstSeqs].sort((a, b) => b - a));
    // The page's oldest revision changed "version 3" to "version 4": the one before it is on the next page.
    expect(first.html).toContain(`<h2 id="rev-${firstSeqs.at(-1)}">Revision ${firstSeqs.at(-1)}: edited</h2>`);
    expect(first.html.slice(first.html.lastIndexOf('<li class="revision">'))).toContain('removed: </span>version 3</del>');
    const next = decode(/<a href="([^"]+)" rel="next">Older revisions<\/a>/.exec(first.html)![1]!);
    const second = await page(server, next);
    expect(headings(second.html)).toHaveLength(3);
    expect(Math.max(...headings(second.html))).toBeLessThan(Math.min(...firstSeqs));
    expect(second.html).toContain('oldest version kept');
    expect(second.html).toContain('<a href="/s/paged/history">Newest revisions</a>');
    expect(second.html).not.toContain('rel="next"');
  });

  it('refuses a cursor it did not give out with a 400 page, and a snek with no history with a 404', async () => {
    const bad = await page(server, '/s/paged/history?cursor=nonsense');
    expect([bad.status, bad.html]).toEqual([400, expect.stringContaining('is not one this server issues')]);
    const none = await page(server, '/s/never-was/history');
    expect([none.status, none.html]).toEqual([404, expect.stringContaining('has no history')]);
    // curl gets the line, not the page.
    const text = await fetch(`${server.url}/s/never-was/history`);
    expect([text.status, text.headers.get('content-type')]).toEqual([404, 'text/plain; charset=utf-8']);
  });

  it('tells curl where a deleted snek’s history is', async () => {
    expect((await server.request('/v1/sneks/curl-gone', { method: 'PUT', json: { name: 'Gone', type: 'paged', content: 'x' } })).status).toBe(201);
    expect((await server.request('/v1/sneks/curl-gone', { method: 'DELETE' })).status).toBe(204);
    const response = await fetch(`${server.url}/s/curl-gone`);
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/^The snek "curl-gone" was deleted just now by SNEK_ADMIN_TOKEN \(token\)\. Its history, from which it can be restored, is at http:\/\/127\.0\.0\.1:\d+\/s\/curl-gone\/history\n$/);
  });

  it('restoring a deleted snek that someone created again meanwhile shows the conflict page, and writes nothing', async () => {
    expect((await server.request('/v1/sneks/back', { method: 'PUT', json: { name: 'Back', type: 'paged', content: 'old' } })).status).toBe(201);
    expect((await server.request('/v1/sneks/back', { method: 'DELETE' })).status).toBe(204);
    const writer = await writerSession(server);
    const history = await page(server, '/s/back/history', writer.cookie);
    // The page was made while the snek was deleted: its forms carry no ETag, for If-None-Match: *.
    const form = /<form method="post" action="(\/s\/back\/history\/\d+\/restore)">\n<input type="hidden" name="csrf" value="([\w-]+)">\n<input type="hidden" name="etag" value="">/.exec(history.html);
    expect(form).not.toBeNull();
    expect((await server.request('/v1/sneks/back', { method: 'PUT', json: { name: 'Back again', type: 'paged', content: 'theirs' } })).status).toBe(201);
    const response = await fetch(`${server.url}${form![1]}`, { method: 'POST', redirect: 'manual', headers: { accept: HTML, cookie: writer.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf: form![2]!, etag: '' }) });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('A snek with this id already exists');
    expect(await (await server.request('/v1/sneks/back')).json()).toMatchObject({ name: 'Back again', content: 'theirs' });
  });
});

describe('the gallery on a store without a change log', () => {
  let server: TestServer & { dir: string };
  beforeAll(async () => {
    server = await startTestServer({ snekrc: `server:\n  store: { use: ${JSON.stringify(NO_LOG_STORE)} }\n` });
    expect((await server.request('/v1/sneks/plain', { method: 'PUT', json: { name: 'Plain', type: 'plain', content: 'x' } })).status).toBe(201);
  });
  afterAll(() => server.stop());

  it('serves the index with no live marker, and a snek page with no "edited" line and no history link', async () => {
    const index = await page(server, '/');
    expect(index.status).toBe(200);
    expect(index.html).toContain('<a href="/s/plain">Plain</a>');
    expect(index.html).not.toContain('data-live-after');
    expect(index.html).not.toContain('live-status');
    const snek = await page(server, '/s/plain');
    expect(snek.html).not.toContain('class="edited"');
    expect(snek.html).not.toContain('/s/plain/history');
  });

  it('answers its history page with a 404 that says no history is kept', async () => {
    const history = await page(server, '/s/plain/history');
    expect(history.status).toBe(404);
    expect(history.html).toContain('<h1>No history kept</h1>');
  });
});
