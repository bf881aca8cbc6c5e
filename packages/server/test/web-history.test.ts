import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { FOREIGN_HOST, browserSkipReason, launchChromium } from './helpers/browser.js';
import { readerWriterSnekrc } from './helpers/token-config.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from './helpers/server-process.js';

// History, restore, "edited … by …" and the live gallery in real Chromium, against a real snek-server on the memory
// store (which keeps a change log), private, with a reader's and a writer's token. Writes "by someone else" go
// through the API with the writer's token.
const READER = 'history-reader-secret';
const WRITER = 'history-writer-secret';

const skip = browserSkipReason();
if (skip) console.warn(`web-history tests skipped: ${skip}`);
const describeInBrowser = skip ? describe.skip : describe;

let dir: TempDir;
let server: ServerProcess;
let browser: Browser;
const consoleErrors: string[] = [];

interface ApiSnek {
  id: string;
  name: string;
  type: string;
  content: string;
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${WRITER}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${server.url}/v1${path}`, { ...init, headers });
}

async function current(id: string): Promise<ApiSnek | null> {
  const response = await api(`/sneks/${id}`);
  if (response.status === 404) return null;
  expect(response.status).toBe(200);
  const { name, type, content } = (await response.json()) as ApiSnek;
  return { id, name, type, content };
}

async function put(snek: ApiSnek): Promise<number> {
  const { id, ...body } = snek;
  return (await api(`/sneks/${id}`, { method: 'PUT', body: JSON.stringify(body) })).status;
}

/** The seqs of a snek's revisions, newest first. */
async function seqs(id: string): Promise<number[]> {
  const body = (await (await api(`/sneks/${id}/revisions`)).json()) as { items: Array<{ seq: number }> };
  return body.items.map((revision) => revision.seq);
}

async function newContext(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  context.setDefaultTimeout(15_000);
  await context.addInitScript("document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))");
  context.on('page', (page) => {
    page.on('console', (message) => {
      // A refused post or a 404 page is a 4xx, as it should be.
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
  });
  return context;
}

async function signedIn(token: string, options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(options);
  const page = await context.newPage();
  await page.goto(`${server.url}/signin`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.url}/`);
  return { context, page };
}

const csrfOf = (page: Page) => page.locator('form[action="/signout"] input[name=csrf]').getAttribute('value');
const restoreButton = (page: Page, seq: number) => page.getByRole('button', { name: `Restore this version (revision ${seq})` });
// Browser-side code is written as strings or through locators: this file is type-checked without the DOM library.
const cardIds = (page: Page) => page.locator('.card h2 a').evaluateAll((links) => links.map((a) => a.getAttribute('href')!.replace('/s/', '')));
const cardOf = (page: Page, id: string) => page.locator('.card', { has: page.locator(`h2 a[href="/s/${id}"]`) });
const chipOf = (page: Page, type: string) => page.locator(`.chips a[href="${type ? `/?type=${type}` : '/'}"]`);

beforeAll(async () => {
  if (skip) return;
  dir = await tempDir('snek-history-');
  await dir.write('.snekrc', readerWriterSnekrc(READER, WRITER));
  browser = await launchChromium();
  server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path) });
  // Three versions of one snek: a line changed, then a line added and the name changed.
  for (const [name, content] of [['Hist', 'a\nb\nc'], ['Hist', 'a\nB\nc'], ['Hist renamed', 'a\nB\nc\nd']]) {
    expect(await put({ id: 'hist', name: name!, type: 'history', content: content! })).toBeLessThan(300);
  }
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  killAllServers();
  await dir?.cleanup();
});

describeInBrowser('a snek’s history in Chromium', () => {
  it('lists the revisions newest first with who, when and a diff marked in words, with JavaScript off', async () => {
    const { context, page } = await signedIn(READER, { javaScriptEnabled: false });
    await page.goto(`${server.url}/s/hist`);
    expect(await page.locator('p.edited').textContent()).toBe('Edited just now by writer (token). History');
    await page.getByRole('link', { name: 'History', exact: true }).click();
    await page.waitForURL(`${server.url}/s/hist/history`);
    const [third, second, first] = await seqs('hist');
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual([`Revision ${third}: edited`, `Revision ${second}: edited`, `Revision ${first}: oldest version kept`]);
    const revisions = page.locator('.revision');
    const time = revisions.nth(0).locator('time');
    expect(await time.getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await time.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(await revisions.nth(0).locator('p.edited').textContent()).toBe('Saved just now by writer (token)');
    // The newest added a line and renamed it; the one before changed b to B. Each mark is a sign and a word, not a colour.
    expect(await revisions.nth(0).locator('.type').textContent()).toBe('Name: Hist → Hist renamed · Type: history');
    expect(await revisions.nth(0).locator('ins').allTextContents()).toEqual(['Hist renamed', '+ added: d']);
    expect(await revisions.nth(0).locator('pre del').count()).toBe(0);
    expect(await revisions.nth(1).locator('pre del').allTextContents()).toEqual(['− removed: b']);
    expect(await revisions.nth(1).locator('pre ins').allTextContents()).toEqual(['+ added: B']);
    expect(await revisions.nth(1).locator('.diff-summary').textContent()).toBe('The art: 1 line added, 1 removed.');
    // The oldest kept has nothing before it: its art is shown whole.
    expect(await page.getByRole('img', { name: `Hist, revision ${first}` }).textContent()).toBe('a\nb\nc');
    // A reader may look, but has nothing to restore with.
    expect(await page.getByRole('button', { name: /^Restore/ }).count()).toBe(0);
    await context.close();
  }, 30_000);

  it('restores an old version for a writer: the snek page shows it, and the history says who', async () => {
    const { context, page } = await signedIn(WRITER);
    const [, , first] = await seqs('hist');
    await page.goto(`${server.url}/s/hist/history`);
    // The newest is the snek as it is: it has no restore button.
    expect(await page.locator('.revision').first().getByText('This is the current version.').count()).toBe(1);
    await restoreButton(page, first!).click();
    await page.waitForURL(`${server.url}/s/hist?restored=1`);
    expect(await page.locator('.notice').textContent()).toBe('Restored.');
    expect(await page.getByRole('img', { name: 'Hist', exact: true }).textContent()).toBe('a\nb\nc');
    expect(await current('hist')).toEqual({ id: 'hist', name: 'Hist', type: 'history', content: 'a\nb\nc' });
    await page.getByRole('link', { name: 'History', exact: true }).click();
    expect(await page.locator('.revision').first().locator('p.edited').textContent()).toBe('Saved just now by writer (token)');
    expect(await page.locator('.revision').first().locator('pre del').allTextContents()).toEqual(['− removed: B', '− removed: d']);
    await context.close();
  }, 30_000);

  it('shows the conflict page, and writes nothing, when someone else edited after the page was made', async () => {
    const { context, page } = await signedIn(WRITER);
    const [, older] = await seqs('hist');
    await page.goto(`${server.url}/s/hist/history`);
    expect(await put({ id: 'hist', name: 'Theirs', type: 'history', content: 'theirs' })).toBe(200);
    const [theirs] = await seqs('hist');
    await restoreButton(page, older!).click();
    await page.getByRole('heading', { name: 'Someone else changed this snek meanwhile' }).waitFor();
    expect(await current('hist')).toEqual({ id: 'hist', name: 'Theirs', type: 'history', content: 'theirs' });
    expect((await seqs('hist'))[0]).toBe(theirs);
    expect(await page.getByRole('img', { name: 'Their art' }).textContent()).toBe('theirs');
    // Yours is the revision that was to be restored, ready to be saved over theirs.
    expect(await page.getByLabel('Art', { exact: true }).inputValue()).toBe(await revisionArt(older!));
    await context.close();
  }, 30_000);

  it('keeps a deleted snek’s history reachable from its 404 page, and restores it', async () => {
    expect(await put({ id: 'gone', name: 'Gone', type: 'history', content: '~~<' })).toBe(201);
    expect((await api('/sneks/gone', { method: 'DELETE' })).status).toBe(204);
    const { context, page } = await signedIn(WRITER);
    const response = await page.goto(`${server.url}/s/gone`);
    expect(response!.status()).toBe(404);
    expect(await page.locator('p.error').textContent()).toMatch(/^The snek "gone" was deleted just now by writer \(token\)\. Its history/);
    await page.getByRole('link', { name: 'The history of “gone”' }).click();
    await page.waitForURL(`${server.url}/s/gone/history`);
    expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toMatch(/: deleted$/);
    const [, put1] = await seqs('gone');
    await restoreButton(page, put1!).click();
    await page.waitForURL(`${server.url}/s/gone?restored=1`);
    expect(await current('gone')).toEqual({ id: 'gone', name: 'Gone', type: 'history', content: '~~<' });
    await context.close();
  }, 30_000);
});

describeInBrowser('who may restore', () => {
  it('refuses a reader’s crafted restore post with 403, though it carries the reader’s own CSRF token', async () => {
    const { context, page } = await signedIn(READER);
    await page.goto(`${server.url}/s/hist/history`);
    const csrf = await csrfOf(page);
    const [newest, older] = await seqs('hist');
    const before = await current('hist');
    const etag = (await api('/sneks/hist')).headers.get('etag');
    const path = `/s/hist/history/${older}/restore`;
    const status = await page.evaluate(`fetch(${JSON.stringify(path)}, { method: 'POST', body: new URLSearchParams(${JSON.stringify({ csrf, etag })}) }).then((r) => r.status)`);
    expect(status).toBe(403);
    expect(await current('hist')).toEqual(before);
    expect((await seqs('hist'))[0]).toBe(newest);
    await context.close();
  }, 30_000);

  describe('a page on another site that posts the restore form', () => {
    let foreign: Server;
    let html = '';
    beforeAll(async () => {
      foreign = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(html);
      });
      await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => foreign.close(() => resolve())));

    it('from evil.test is refused, and restores nothing', async () => {
      const { context, page } = await signedIn(WRITER);
      const [newest, older] = await seqs('hist');
      const before = await current('hist');
      const etag = (await api('/sneks/hist')).headers.get('etag')!;
      const target = `${server.url}/s/hist/history/${older}/restore`;
      html = `<!doctype html><title>Win a prize</title><form method="post" action="${target}"><input type="hidden" name="etag" value="${etag.replaceAll('"', '&quot;')}"></form><script>document.forms[0].submit()</script>`;
      const answer = page.waitForResponse((r) => r.url() === target && r.request().method() === 'POST');
      await page.goto(`http://${FOREIGN_HOST}:${(foreign.address() as AddressInfo).port}/`);
      const response = await answer;
      expect(response.status()).toBe(403);
      expect(await response.text()).toContain('can only be sent from');
      expect(await current('hist')).toEqual(before);
      expect((await seqs('hist'))[0]).toBe(newest);
      await context.close();
    }, 30_000);
  });
});

describeInBrowser('the gallery kept live', () => {
  it('adds, updates and removes cards, and recounts the types, as writes arrive through the API, without a reload', async () => {
    const { context, page } = await signedIn(READER);
    await page.goto(`${server.url}/`);
    const all = chipOf(page, '');
    const countOf = async () => Number(/\((\d+)\)/.exec((await all.textContent())!)![1]);
    const before = await countOf();
    expect(await chipOf(page, 'livetype').count()).toBe(0);
    // The page's own document is never fetched again: a reload would make a new one, without this mark.
    await page.evaluate('document.documentElement.dataset.loadedOnce = "yes"');

    expect(await put({ id: 'fancy-live', name: 'Live one', type: 'livetype', content: '~~~<' })).toBe(201);
    const card = cardOf(page, 'fancy-live');
    await card.waitFor();
    expect(await card.getByRole('img', { name: 'Live one' }).textContent()).toBe('~~~<');
    expect(await card.locator('p.edited').textContent()).toBe('edited just now by writer (token)');
    const ids = (await cardIds(page)) as string[];
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
    await page.getByRole('link', { name: 'livetype (1)' }).waitFor();
    await page.getByRole('link', { name: `All (${before + 1})` }).waitFor();
    await page.locator('#live-status').filter({ hasText: 'Updated live: 1 snek added.' }).waitFor();

    expect(await put({ id: 'fancy-live', name: 'Live two', type: 'livetype', content: '~~~~~~<' })).toBe(200);
    await card.getByRole('img', { name: 'Live two' }).waitFor();
    expect(await card.getByRole('link').first().textContent()).toBe('Live two');
    expect(await card.getByRole('img', { name: 'Live two' }).textContent()).toBe('~~~~~~<');
    await page.locator('#live-status').filter({ hasText: 'Updated live: 1 snek changed.' }).waitFor();

    expect((await api('/sneks/fancy-live', { method: 'DELETE' })).status).toBe(204);
    await card.waitFor({ state: 'detached' });
    await page.getByRole('link', { name: `All (${before})` }).waitFor();
    await chipOf(page, 'livetype').waitFor({ state: 'detached' });
    await page.locator('#live-status').filter({ hasText: 'Updated live: 1 snek removed.' }).waitFor();
    expect(await page.evaluate('document.documentElement.dataset.loadedOnce')).toBe('yes');
    await context.close();
  }, 30_000);

  it('on a page filtered by type, adds only that type’s cards, and shows the empty line as the last goes', async () => {
    const { context, page } = await signedIn(READER);
    await page.goto(`${server.url}/?type=fresh`);
    const empty = page.getByText('There is no snek of type fresh.');
    expect(await empty.isVisible()).toBe(true);
    expect(await put({ id: 'other-type', name: 'Other', type: 'elsewhere', content: 'x' })).toBe(201);
    expect(await put({ id: 'fresh-one', name: 'Fresh', type: 'fresh', content: 'y' })).toBe(201);
    await cardOf(page, 'fresh-one').waitFor();
    await page.getByRole('link', { name: 'elsewhere (1)' }).waitFor();
    await page.getByRole('link', { name: 'fresh (1)' }).waitFor();
    expect(await cardIds(page)).toEqual(['fresh-one']);
    expect(await empty.isVisible()).toBe(false);
    // Moved to another type: it leaves this page.
    expect(await put({ id: 'fresh-one', name: 'Fresh', type: 'elsewhere', content: 'y' })).toBe(200);
    await cardOf(page, 'fresh-one').waitFor({ state: 'detached' });
    await empty.waitFor();
    await page.getByRole('link', { name: 'elsewhere (2)' }).waitFor();
    // The chip of the page's own type stays, at 0, so the page still says where it is.
    await page.getByRole('link', { name: 'fresh (0)' }).waitFor();
    for (const id of ['other-type', 'fresh-one']) expect((await api(`/sneks/${id}`, { method: 'DELETE' })).status).toBe(204);
    await context.close();
  }, 30_000);
});

describeInBrowser('accessibility and the page’s policy', () => {
  it('has no serious or critical axe violations on the history page and a deleted snek’s 404, in light and dark mode', async () => {
    expect(await put({ id: 'axe-gone', name: 'Axe gone', type: 'history', content: '~<' })).toBe(201);
    expect((await api('/sneks/axe-gone', { method: 'DELETE' })).status).toBe(204);
    const { context, page } = await signedIn(WRITER);
    const violations: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      // The snek page and the gallery, with their "edited … by" lines, are in web-editor.test.ts's axe check.
      for (const path of ['/s/hist/history', '/s/axe-gone']) {
        await page.goto(server.url + path);
        const results = await new AxeBuilder({ page }).analyze();
        for (const v of results.violations) if (v.impact === 'serious' || v.impact === 'critical') violations.push(`${colorScheme} ${path}: ${v.id} (${v.impact}): ${v.nodes.length} nodes`);
      }
    }
    expect(violations).toEqual([]);
    await context.close();
  }, 30_000);

  it('logged no console error and no CSP violation on any page', () => {
    expect(consoleErrors).toEqual([]);
  });
});

/** The art of revision `seq` of hist, as the API has it. */
async function revisionArt(seq: number): Promise<string> {
  const body = (await (await api(`/sneks/hist/revisions/${seq}`)).json()) as { snek: ApiSnek };
  return body.snek.content;
}
