import { createHash } from 'node:crypto';
import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { PLAIN_HTTP_HOST, browserSkipReason, launchChromium } from './helpers/browser.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from './helpers/server-process.js';

const SNEKS_DIR = new URL('../../pack-classic/sneks/', import.meta.url);
const READER = 'browser-reader-secret';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const SQLITE = 'server:\n  store: { use: sqlite, options: { file: ./data/sneks.db } }\n';
const PRIVATE = `${SQLITE}  auth:\n    read: token\n    tokens:\n      - { name: reader, sha256: ${sha256(READER)}, scopes: [read] }\n`;

const BULK = Array.from({ length: 250 }, (_, i) => ({ id: `snek-${String(i).padStart(3, '0')}`, name: `Bulk snek ${i}`, type: 'bulk', content: `~~~~~~~~<  #${i}` }));
// A valid snek of 600 lines: its card must stay a preview, its page must show it whole.
const TALL = { id: 'tall', name: 'Tall snek', type: 'tall', content: Array.from({ length: 600 }, (_, i) => `  ~~~~<  line ${i + 1}`).join('\n') };
const XSS = [
  { id: 'xss-name', name: '<script>alert(1)</script>', type: 'evil', content: '<script>alert(2)</script>' },
  { id: 'xss-art', name: 'Pre breaker', type: 'evil', content: '</pre><img src=x onerror=alert(3)>\n  ~~~<' },
];

const skip = browserSkipReason();
if (skip) console.warn(`web-browser tests skipped: ${skip}`);
const describeInBrowser = skip ? describe.skip : describe;

let dir: TempDir;
let privateDir: TempDir;
let server: ServerProcess;
let privateServer: ServerProcess;
let browser: Browser;
// Every page any test opens reports here: the last test checks that none logged an error or broke the CSP.
const consoleErrors: string[] = [];
const dialogs: string[] = [];

const art = (id: string) => readFile(new URL(`${id}.txt`, SNEKS_DIR), 'utf8');

async function newContext(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  context.setDefaultTimeout(15_000);
  // Before any page script: CSP violations are collected as they happen.
  await context.addInitScript("document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))");
  context.on('page', (page) => watch(page));
  return context;
}

function watch(page: Page): void {
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
}

/** Waits for the copy button's status line: the clipboard write is asynchronous, so reading it at once races. */
async function copied(page: Page): Promise<void> {
  await page.getByRole('status').filter({ hasText: 'Copied.' }).waitFor();
  expect(await page.getByRole('status').textContent()).toBe('Copied.');
}

/** The ids of the cards on the page, in order. */
// Browser-side code is written as strings or through locators: this file is type-checked without the DOM library.
const cardIds = (page: Page) => page.locator('.card h2 a').evaluateAll((links) => links.map((a) => a.getAttribute('href')!.replace('/s/', '')));

/**
 * Waits for the page a search's form loaded: a document whose own URL (its navigation entry, which
 * history.replaceState leaves as it was) holds `part`. Search as you type writes the same query into the URL of the
 * page before, a moment after the last key, so waitForURL could resolve before the form's page replaced it.
 */
const formPageFor = (page: Page, part: string) =>
  page.waitForFunction(`performance.getEntriesByType('navigation')[0]?.name.includes(${JSON.stringify(part)}) && document.readyState === 'complete'`);

beforeAll(async () => {
  if (skip) return;
  dir = await tempDir('snek-web-');
  await dir.write('.snekrc', SQLITE);
  const lines = [...BULK, ...XSS, TALL].map((snek) => JSON.stringify(snek)).join('\n');
  await dir.write('seed.jsonl', `${lines}\n`);
  privateDir = await tempDir('snek-web-private-');
  await privateDir.write('.snekrc', PRIVATE);
  // One after another, so a failure leaves nothing half-started that afterAll cannot see.
  browser = await launchChromium();
  server = await startServerProcess({ cwd: dir.path, args: ['--import', 'seed.jsonl'], env: cleanEnv(dir.path) });
  privateServer = await startServerProcess({ cwd: privateDir.path, env: cleanEnv(privateDir.path) });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await privateServer?.stop();
  killAllServers();
  await dir?.cleanup();
  await privateDir?.cleanup();
});

describeInBrowser('the gallery in Chromium', () => {
  it('shows normal, fancy and cute with each <pre> equal to its file, byte for byte', async () => {
    const context = await newContext();
    const page = await context.newPage();
    for (const id of ['normal', 'fancy', 'cute']) {
      const file = await art(id);
      await page.goto(`${server.url}/?type=${id}`);
      expect(await cardIds(page)).toEqual([id]);
      expect(await page.locator('.card pre').textContent()).toBe(file);
      await expect(page.locator('.card pre').getAttribute('aria-label')).resolves.toBe(id);
      await page.goto(`${server.url}/s/${id}`);
      expect(await page.locator('pre[role=img]').textContent()).toBe(file);
    }
    await context.close();
  }, 60_000);

  it('filters by type with the chips, and pages through 250 sneks to the last with no repeat and no gap', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await expect(page.getByRole('link', { name: 'bulk (250)' }).count()).resolves.toBe(1);
    await page.getByRole('link', { name: 'evil (2)' }).click();
    await page.waitForURL(/type=evil/);
    expect(await cardIds(page)).toEqual(['xss-art', 'xss-name']);
    expect(await page.getByRole('link', { name: 'evil (2)' }).getAttribute('aria-current')).toBe('page');
    await page.getByRole('link', { name: 'bulk (250)' }).click();
    await page.waitForURL(/type=bulk/);
    const seen: string[] = [];
    for (let pages = 1; ; pages += 1) {
      seen.push(...(await cardIds(page)));
      const next = page.getByRole('link', { name: 'Next page' });
      if ((await next.count()) === 0) break;
      expect(pages).toBeLessThan(10);
      await Promise.all([page.waitForURL(/cursor=/), next.click()]);
      await page.waitForLoadState('domcontentloaded');
    }
    expect(seen).toEqual(BULK.map((snek) => snek.id));
    await context.close();
  }, 90_000);

  it('shows a 600-line snek as a bounded preview on its card, with a link to its page, which shows it whole', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/?type=tall`);
    const card = (await page.locator('.card').boundingBox())!;
    expect(card.height).toBeLessThan(600);
    // Bounded by CSS alone: the card holds the art whole, so it stays byte-exact for copying and screen readers.
    expect(await page.locator('.card pre').textContent()).toBe(TALL.content);
    await page.getByRole('link', { name: 'The whole snek' }).click();
    await page.waitForURL(/\/s\/tall$/);
    const art = (await page.locator('pre[role=img]').boundingBox())!;
    expect(art.height).toBeGreaterThan(600 * 10);
    expect(await page.locator('pre[role=img]').textContent()).toBe(TALL.content);
    await context.close();
  }, 60_000);

  it('searches by name, and says when nothing matches', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('Search sneks').fill('Bulk snek 7');
    await page.getByRole('button', { name: 'Search' }).click();
    await formPageFor(page, 'q=Bulk');
    // The exact name first, then the names that start with it (Bulk snek 70–79).
    expect((await cardIds(page)).slice(0, 2)).toEqual(['snek-007', 'snek-070']);
    await page.getByLabel('Search sneks').fill('Qwxz zzz');
    await page.getByLabel('Search sneks').press('Enter');
    await formPageFor(page, 'q=Qwxz');
    await expect(page.getByText('No snek matches “Qwxz zzz”').count()).resolves.toBe(1);
    // An old ?name= link still looks the exact name up.
    await page.goto(`${server.url}/?name=${encodeURIComponent('Bulk snek 7')}`);
    expect(await cardIds(page)).toEqual(['snek-007']);
    await context.close();
  }, 60_000);

  it('opens a snek page from its card, and Copy puts the exact art on the clipboard', async () => {
    const context = await newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    await page.goto(`${server.url}/?type=fancy`);
    await page.getByRole('link', { name: 'fancy', exact: true }).click();
    await page.waitForURL(/\/s\/fancy$/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('fancy');
    await expect(page.getByText(`curl ${server.url}/s/fancy`).count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Copy the art' }).click();
    await copied(page);
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(await art('fancy'));
    await context.close();
  }, 60_000);

  it('shows the XSS sneks as text: no script of theirs runs', async () => {
    const context = await newContext();
    const page = await context.newPage();
    for (const url of ['/?type=evil', '/?q=alert', '/s/xss-name', '/s/xss-art']) {
      await page.goto(server.url + url);
      expect(await page.locator('script').count()).toBe(1);
      expect(await page.locator('img').count()).toBe(0);
    }
    await page.goto(`${server.url}/?type=evil`);
    expect(await page.locator('.card h2').allTextContents()).toEqual(['Pre breaker', XSS[0]!.name]);
    expect(await page.locator('.card pre').allTextContents()).toEqual([XSS[1]!.content, XSS[0]!.content]);
    // Found by a search, the name is cut around its match, and each part is still text.
    await page.goto(`${server.url}/?q=${encodeURIComponent('<script>')}`);
    expect(await page.locator('.card h2').allTextContents()).toEqual([XSS[0]!.name]);
    expect(await page.locator('.card h2 mark').allTextContents()).toEqual(['<script>']);
    expect(await page.locator('script').count()).toBe(1);
    expect(dialogs).toEqual([]);
    await context.close();
  }, 60_000);

  it('reaches every control with Tab, and works them with the keyboard alone', async () => {
    const context = await newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    await page.goto(`${server.url}/?type=evil`);
    const controls = await page.locator('a[href], button:not([hidden]), input:not([type=hidden]), select:not([disabled]), [tabindex="0"]').evaluateAll((all) => all.map((el) => el.outerHTML));
    const reached: string[] = [];
    for (let i = 0; i < controls.length + 2; i += 1) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate('document.activeElement.outerHTML'));
    }
    expect(controls.filter((html) => !reached.includes(html))).toEqual([]);
    expect(controls.length).toBeGreaterThan(10);
    // Use them: the skip link, the search, a chip, a card's link, and Copy.
    await page.goto(`${server.url}/`);
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('q');
    await page.keyboard.type('breaker');
    await page.keyboard.press('Enter');
    await formPageFor(page, 'q=breaker');
    expect(await cardIds(page)).toEqual(['xss-art']);
    // A chip narrows the search to its type.
    await page.getByRole('link', { name: 'evil (2)' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=breaker&type=evil/);
    await page.locator('.card h2 a').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/s\/xss-art$/);
    await page.getByRole('button', { name: 'Copy the art' }).focus();
    await page.keyboard.press('Enter');
    await copied(page);
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(XSS[1]!.content);
    await context.close();
  }, 60_000);

  it.each(['light', 'dark'] as const)('has no serious or critical axe violations in %s mode', async (colorScheme) => {
    const context = await newContext({ colorScheme });
    const page = await context.newPage();
    const violations: string[] = [];
    for (const url of [`${server.url}/`, `${server.url}/?q=bulk+snek+1`, `${server.url}/s/cute`, `${privateServer.url}/signin?failed=invalid`]) {
      await page.goto(url);
      const results = await new AxeBuilder({ page }).analyze();
      for (const v of results.violations) if (v.impact === 'serious' || v.impact === 'critical') violations.push(`${url}: ${v.id} (${v.impact}): ${v.nodes.length} nodes`);
    }
    expect(violations).toEqual([]);
    await context.close();
  }, 180_000);

  it('browses, filters and pages with JavaScript off', async () => {
    const context = await newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'bulk (250)' }).click();
    await page.waitForURL(/type=bulk/);
    let pages = 1;
    while ((await page.getByRole('link', { name: 'Next page' }).count()) > 0) {
      await Promise.all([page.waitForURL(/cursor=/), page.getByRole('link', { name: 'Next page' }).click()]);
      pages += 1;
    }
    expect(pages).toBe(6);
    expect((await cardIds(page)).at(-1)).toBe('snek-249');
    // The form keeps the page's type: no bulk snek matches, and the line offers the match in another type.
    await page.getByLabel('Search sneks').fill('normal');
    await page.getByRole('button', { name: 'Search' }).click();
    await formPageFor(page, 'q=normal');
    expect(await cardIds(page)).toEqual([]);
    await page.locator('#empty').getByRole('link', { name: 'normal', exact: true }).click();
    await page.waitForURL(/\/s\/normal$/);
    expect(await page.locator('pre[role=img]').textContent()).toBe(await art('normal'));
    // Copying needs script, so without it the button stays hidden rather than doing nothing.
    expect(await page.getByRole('button', { name: 'Copy the art' }).count()).toBe(0);
    await context.close();
  }, 90_000);

  it('signs in with the right token, says so for a wrong one, and signs out', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${privateServer.url}/`);
    await page.waitForURL(/\/signin$/);
    await page.getByLabel('Token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('That token is not valid on this server. Check it and try again.');
    await page.getByLabel('Token').fill(READER);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${privateServer.url}/`);
    expect(await cardIds(page)).toEqual(['cute', 'fancy', 'normal']);
    // The sign-in form's nonce (snek_signin) is the other cookie: it holds no secret, only a random value.
    const cookie = (await context.cookies()).find((c) => c.name === 'snek_session');
    expect(cookie).toMatchObject({ name: 'snek_session', httpOnly: true, sameSite: 'Strict', secure: false });
    expect(cookie!.value).not.toContain(READER);
    expect(page.url()).not.toContain(READER);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin$/);
    expect((await context.cookies()).map((c) => c.name)).toEqual(['snek_signin']);
    await page.goto(`${privateServer.url}/s/cute`);
    await page.waitForURL(/\/signin$/);
    expect(privateServer.output().stdout).not.toContain(READER);
    await context.close();
  }, 60_000);

  it('signs in and out with JavaScript off: the sign-out form carries its CSRF token as a hidden field', async () => {
    const context = await newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${privateServer.url}/signin`);
    await page.getByLabel('Token').fill(READER);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${privateServer.url}/`);
    expect(await page.locator('form[action="/signout"] input[type=hidden][name=csrf]').getAttribute('value')).toMatch(/^[\w-]{43}$/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin$/);
    expect((await context.cookies()).map((c) => c.name)).toEqual(['snek_signin']);
    await context.close();
  }, 60_000);

  it('serves nothing but the health checks and the sign-in page without the cookie', async () => {
    const html = { accept: 'text/html' };
    const open = ['/healthz', '/readyz', '/signin'];
    for (const route of open) expect([route, (await fetch(privateServer.url + route, { headers: html })).status]).toEqual([route, 200]);
    const closed = ['/', '/?type=cute', '/s/cute', '/v1/sneks', '/v1/types', '/v1/sneks/cute', '/sneks', '/openapi.json', '/docs'];
    for (const route of closed) {
      const response = await fetch(privateServer.url + route, { headers: html, redirect: 'manual' });
      // A page sends the browser to the sign-in form; everything else is a 401.
      const answer = response.status === 303 ? response.headers.get('location') : response.status;
      expect([route, answer]).toEqual([route, route === '/' || route.startsWith('/?') || route.startsWith('/s/') ? '/signin' : 401]);
      expect(await response.text()).not.toMatch(/~-_|O\|/);
    }
  });

  it('takes screenshots at 1280×800 (light and dark) and 390×844', async () => {
    // SNEK_SCREENSHOTS=docs writes the README's pictures; otherwise they go to the temp folder.
    const outDir = process.env['SNEK_SCREENSHOTS'] ? path.resolve(process.env['SNEK_SCREENSHOTS']) : path.join(dir.path, 'screenshots');
    await mkdir(outDir, { recursive: true });
    const shots = [['gallery-desktop', 1280, 800, 'light'], ['gallery-phone', 390, 844, 'light'], ['gallery-desktop-dark', 1280, 800, 'dark']] as const;
    for (const [name, width, height, colorScheme] of shots) {
      const context = await newContext({ viewport: { width, height }, colorScheme });
      const page = await context.newPage();
      await page.goto(`${server.url}/`);
      const file = path.join(outDir, `${name}.png`);
      await page.screenshot({ path: file });
      const png = await readFile(file);
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([width, height]);
      await context.close();
    }
  }, 60_000);

  it('served by name over plain http, as on an intranet, the page still loads its own CSS and script', async () => {
    // Its own context, unwatched: Chromium logs that it ignores COOP on an insecure origin, which is expected there.
    const context = await browser.newContext();
    const page = await context.newPage();
    const failed: string[] = [];
    const assets: Array<[string, number]> = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    page.on('response', (response) => {
      if (response.url().includes('/assets/')) assets.push([path.extname(new URL(response.url()).pathname), response.status()]);
    });
    await page.goto(`${server.url.replace('127.0.0.1', PLAIN_HTTP_HOST)}/`);
    await page.waitForLoadState('load');
    expect(failed).toEqual([]);
    expect(assets.sort()).toEqual([['.css', 200], ['.js', 200]]);
    await context.close();
  });

  it('logged no console error and no CSP violation on any page', () => {
    expect(consoleErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
