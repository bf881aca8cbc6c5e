import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { browserSkipReason, launchChromium } from './helpers/browser.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from './helpers/server-process.js';

// The gallery's search, sort and pages in real Chromium, against a real snek-server on sqlite: as you type with
// script, as a plain form without it. web-search-pages.test.ts checks the same HTML without a browser.
const WRITER = 'search-writer-secret';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const SNEKRC = `server:\n  store: { use: sqlite, options: { file: ./data/sneks.db } }\n  auth:\n    tokens:\n      - { name: writer, sha256: ${sha256(WRITER)}, scopes: [read, write] }\n`;

// 60 of them, more than a page of 48; ids not padded, so that id order is not the names' natural order.
const NUMBERED = Array.from({ length: 60 }, (_, i) => ({ id: `snek-${i + 1}`, name: `Snek ${i + 1}`, type: 'numbered', content: `~~~<  ${i + 1}` }));
const SEVEN = { id: 'seven', name: 'Snek number 7', type: 'lucky', content: '~~~~~~~<' };
const XSS = { id: 'xss-search', name: '<script>alert("snek")</script><img src=x onerror=alert(1)>', type: 'evil', content: '</pre><img src=x onerror=alert(2)>' };

const skip = browserSkipReason();
if (skip) console.warn(`web-search tests skipped: ${skip}`);
const describeInBrowser = skip ? describe.skip : describe;

let dir: TempDir;
let server: ServerProcess;
let browser: Browser;
const consoleErrors: string[] = [];
const dialogs: string[] = [];

async function newContext(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  context.setDefaultTimeout(15_000);
  await context.addInitScript("document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))");
  context.on('page', (page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });
  return context;
}

async function put(snek: { id: string; name: string; type: string; content: string }): Promise<number> {
  const { id, ...body } = snek;
  const response = await fetch(`${server.url}/v1/sneks/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${WRITER}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return response.status;
}

async function remove(id: string): Promise<number> {
  return (await fetch(`${server.url}/v1/sneks/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${WRITER}` } })).status;
}

// Browser-side code is written as strings or through locators: this file is type-checked without the DOM library.
const cardIds = async (page: Page) => (await page.locator('.card h2 a').evaluateAll((links) => links.map((a) => a.getAttribute('href')!.replace('/s/', '')))) as string[];
const range = (page: Page) => page.locator('#range').textContent();
/** Waits for the results of this heading: swapped in by gallery.js, or a page the server made. */
const resultsFor = (page: Page, heading: string) => page.locator(`#results[data-heading="${heading}"]`).waitFor();
/** Marks the document: a page load would make a new one, without the mark. */
const markDocument = (page: Page) => page.evaluate('document.documentElement.dataset.loadedOnce = "yes"');
const stillSameDocument = async (page: Page) => expect(await page.evaluate('document.documentElement.dataset.loadedOnce')).toBe('yes');

beforeAll(async () => {
  if (skip) return;
  dir = await tempDir('snek-web-search-');
  await dir.write('.snekrc', SNEKRC);
  await dir.write('seed.jsonl', `${[...NUMBERED, SEVEN, XSS].map((snek) => JSON.stringify(snek)).join('\n')}\n`);
  browser = await launchChromium();
  server = await startServerProcess({ cwd: dir.path, args: ['--import', 'seed.jsonl'], env: cleanEnv(dir.path) });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  killAllServers();
  await dir?.cleanup();
});

describeInBrowser('the gallery search with JavaScript', () => {
  it('shows results as you type, without a page load: a misspelt name finds its snek, and the match is marked', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await markDocument(page);
    const box = page.getByLabel('Search sneks');
    await box.pressSequentially('Snek numbr 7');
    await resultsFor(page, 'Sneks matching “Snek numbr 7”');
    expect((await cardIds(page))[0]).toBe('seven');
    expect(await page.locator('main h1').textContent()).toBe('Sneks matching “Snek numbr 7”');
    expect(await page.title()).toBe('Sneks matching “Snek numbr 7” · Snek');
    expect(await page.getByText('No name contains “Snek numbr 7”: these are the nearest.').count()).toBe(1);
    // The address follows, so that a reload or a shared link shows the same.
    expect(new URL(page.url()).search).toBe('?q=Snek+numbr+7');
    expect(await page.getByLabel('Sort by').isDisabled()).toBe(true);

    await box.fill('');
    await box.pressSequentially('NUMBER 7');
    await resultsFor(page, 'Sneks matching “NUMBER 7”');
    expect(await cardIds(page)).toEqual(['seven']);
    expect(await page.locator('.card h2 mark').allTextContents()).toEqual(['number 7']);
    expect(await page.locator('.card h2').allTextContents()).toEqual(['Snek number 7']);
    expect(await page.locator('#search-status').textContent()).toBe('1–1 of 1');

    await box.fill('');
    await resultsFor(page, 'Sneks');
    expect(await page.getByLabel('Sort by').isDisabled()).toBe(false);
    expect(page.url()).toBe(`${server.url}/`);
    await stillSameDocument(page);
    await context.close();
  }, 60_000);

  it('sorts by name with the select, Snek 2 before Snek 10, and pages with previous and next', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/?type=numbered`);
    expect((await cardIds(page)).slice(0, 3)).toEqual(['snek-1', 'snek-10', 'snek-11']);
    await markDocument(page);
    await page.getByLabel('Sort by').selectOption('Name');
    await page.locator('.card:nth-child(2) h2 a', { hasText: /^Snek 2$/ }).waitFor();
    await stillSameDocument(page);
    expect(await cardIds(page)).toEqual(NUMBERED.slice(0, 48).map((snek) => snek.id));
    expect(await range(page)).toBe('1–48 of 60');
    expect(new URL(page.url()).search).toBe('?sort=name&type=numbered');
    await Promise.all([page.waitForURL(/cursor=/), page.getByRole('link', { name: 'Next page' }).click()]);
    expect(await range(page)).toBe('49–60 of 60');
    expect(await cardIds(page)).toEqual(NUMBERED.slice(48).map((snek) => snek.id));
    expect(await page.getByRole('link', { name: 'Next page' }).count()).toBe(0);
    await Promise.all([page.waitForURL(/cursor=/), page.getByRole('link', { name: 'Previous page' }).click()]);
    await page.waitForLoadState('domcontentloaded');
    expect(await range(page)).toBe('1–48 of 60');
    expect(await cardIds(page)).toEqual(NUMBERED.slice(0, 48).map((snek) => snek.id));
    expect(await page.getByLabel('Sort by').inputValue()).toBe('name');
    await context.close();
  }, 60_000);

  it('shows a hostile name found by a search as text, inside and outside its mark: no script of its runs', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('Search sneks').pressSequentially('alert');
    await resultsFor(page, 'Sneks matching “alert”');
    expect(await cardIds(page)).toEqual(['xss-search']);
    expect(await page.locator('.card h2').textContent()).toBe(XSS.name);
    expect(await page.locator('.card h2 mark').allTextContents()).toEqual(['alert', 'alert']);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await context.close();
  }, 60_000);

  it('places no live change a sorted page or a search cannot place: it says to reload, and updates the cards it shows', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/?type=numbered&sort=name`);
    const before = await cardIds(page);
    expect(await put({ id: 'snek-0', name: 'Snek 0', type: 'numbered', content: '~<' })).toBe(201);
    await page.locator('#live-status', { hasText: 'which this page cannot place in its order' }).waitFor();
    expect(await cardIds(page)).toEqual(before);
    await page.getByRole('link', { name: 'numbered (61)' }).waitFor();
    // The same name keeps its place: the card changes where it is.
    expect(await put({ ...NUMBERED[4]!, content: '~~~<  five' })).toBe(200);
    await page.getByRole('img', { name: 'Snek 5', exact: true }).filter({ hasText: 'five' }).waitFor();
    expect(await cardIds(page)).toEqual(before);

    await page.getByLabel('Search sneks').pressSequentially('number 7');
    await resultsFor(page, 'Sneks matching “number 7” in type numbered');
    expect(await put({ id: 'number-7b', name: 'Another number 7', type: 'numbered', content: '~<' })).toBe(201);
    await page.locator('#live-status', { hasText: 'which this page cannot place in its order' }).waitFor();
    expect(await cardIds(page)).toEqual([]);
    // The later tests see the sneks of the seed only.
    for (const id of ['snek-0', 'number-7b']) expect(await remove(id)).toBe(204);
    await context.close();
  }, 60_000);

  it.each(['light', 'dark'] as const)('has no serious or critical axe violations on a search, typed and loaded, and a sorted page, in %s mode', async (colorScheme) => {
    const context = await newContext({ colorScheme });
    const page = await context.newPage();
    const violations: string[] = [];
    const check = async (where: string) => {
      const results = await new AxeBuilder({ page }).analyze();
      for (const v of results.violations) if (v.impact === 'serious' || v.impact === 'critical') violations.push(`${where}: ${v.id} (${v.impact}): ${v.nodes.length} nodes`);
    };
    await page.goto(`${server.url}/`);
    await page.getByLabel('Search sneks').pressSequentially('number');
    await resultsFor(page, 'Sneks matching “number”');
    await check('typed number');
    for (const path of ['/?q=number+7', '/?q=zzzz&type=lucky', '/?sort=updated&type=numbered']) {
      await page.goto(server.url + path);
      await check(path);
    }
    expect(violations).toEqual([]);
    await context.close();
  }, 120_000);
});

describeInBrowser('the gallery search with JavaScript off', () => {
  it('searches, sorts and pages with the plain form and links', async () => {
    const context = await newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('Search sneks').fill('Snek numbr 7');
    await Promise.all([page.waitForURL(/q=Snek/), page.getByRole('button', { name: 'Search' }).click()]);
    expect((await cardIds(page))[0]).toBe('seven');
    // A plain form sends its empty fields too (sort=), which the server drops.
    expect(new URL(page.url()).searchParams.get('q')).toBe('Snek numbr 7');
    await page.getByLabel('Search sneks').fill('number 7');
    await Promise.all([page.waitForURL(/q=number/), page.getByLabel('Search sneks').press('Enter')]);
    expect(await page.locator('.card h2 mark').allTextContents()).toEqual(['number 7']);

    // A search pages forwards, and back to its first page.
    await page.goto(`${server.url}/?q=snek`);
    expect(await range(page)).toBe('1–48');
    const firstResults = await cardIds(page);
    await Promise.all([page.waitForURL(/cursor=/), page.getByRole('link', { name: 'Next page' }).click()]);
    expect(await range(page)).toMatch(/^49–\d+ of \d+$/);
    await Promise.all([page.waitForURL(/cursor=/), page.getByRole('link', { name: 'Previous page' }).click()]);
    expect(await range(page)).toBe('1–48');
    expect(await cardIds(page)).toEqual(firstResults);

    // The sort is part of the form: chosen, then sent with the Search button.
    await page.goto(`${server.url}/?type=numbered`);
    await page.getByLabel('Sort by').selectOption('Name');
    await Promise.all([page.waitForURL(/sort=name/), page.getByRole('button', { name: 'Search' }).click()]);
    const ids = await cardIds(page);
    expect(ids.indexOf('snek-2')).toBeLessThan(ids.indexOf('snek-10'));
    expect(ids.indexOf('snek-2')).toBeGreaterThanOrEqual(0);
    await Promise.all([page.waitForURL(/cursor=/), page.getByRole('link', { name: 'Next page' }).click()]);
    expect(await range(page)).toMatch(/^49–\d+ of \d+$/);
    await Promise.all([page.waitForURL(/cursor=/), page.getByRole('link', { name: 'Previous page' }).click()]);
    expect(await cardIds(page)).toEqual(ids);
    await context.close();
  }, 60_000);

  it('logged no console error, no CSP violation and no dialog on any page', () => {
    expect(consoleErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
