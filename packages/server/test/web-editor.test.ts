import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { FOREIGN_HOST, PLAIN_HTTP_HOST, browserSkipReason, launchChromium } from './helpers/browser.js';
import { readerWriterSnekrc } from './helpers/token-config.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from './helpers/server-process.js';

// The editor in real Chromium against a real snek-server: a private server with a reader and a writer token.
const READER = 'editor-reader-secret';
const WRITER = 'editor-writer-secret';
const SNEKRC = readerWriterSnekrc(READER, WRITER);
// Art that a careless form would change: a leading blank line, a tab, trailing spaces, no final newline, non-ASCII.
const ART = '\n  ~~~~~<  \n\t╭─╮ ünïcødé 🐍\n  tail   ';

const skip = browserSkipReason();
if (skip) console.warn(`web-editor tests skipped: ${skip}`);
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

/** The API as another writer uses it, with the writer's bearer token. */
async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${WRITER}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${server.url}/v1${path}`, { ...init, headers });
}

async function current(id: string): Promise<{ snek: ApiSnek | null; etag: string | null }> {
  const response = await api(`/sneks/${id}`);
  if (response.status === 404) return { snek: null, etag: null };
  expect(response.status).toBe(200);
  return { snek: (await response.json()) as ApiSnek, etag: response.headers.get('etag') };
}

async function putSnek(snek: ApiSnek, headers: Record<string, string> = {}): Promise<number> {
  const { id, ...body } = snek;
  return (await api(`/sneks/${id}`, { method: 'PUT', body: JSON.stringify(body), headers })).status;
}

async function newContext(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  context.setDefaultTimeout(15_000);
  await context.addInitScript("document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))");
  context.on('page', (page) => {
    page.on('console', (message) => {
      // A refused page is a 4xx, as it should be; and over plain http by name Chromium says it ignores COOP.
      const expected = /status of 4\d\d|Cross-Origin-Opener-Policy header has been ignored/.test(message.text());
      if (message.type() === 'error' && !expected) consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
  });
  return context;
}

/** A browser signed in with `token` through the sign-in form, on `base` (the server's URL, or it by another name). */
async function signedIn(token: string, options: Parameters<Browser['newContext']>[0] = {}, base = server.url): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(options);
  const page = await context.newPage();
  await page.goto(`${base}/signin`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
  return { context, page };
}

/** The art a page shows in the <pre> labelled `label`: its text is the art exactly (the parser drops the newline after <pre>). */
const artOf = (page: Page, label: string) => page.getByRole('img', { name: label, exact: true }).textContent();
const activeId = (page: Page) => page.evaluate('document.activeElement && document.activeElement.id');

beforeAll(async () => {
  if (skip) return;
  dir = await tempDir('snek-editor-');
  await dir.write('.snekrc', SNEKRC);
  browser = await launchChromium();
  server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path) });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  killAllServers();
  await dir?.cleanup();
});

describeInBrowser('the editor in Chromium', () => {
  it('creates a snek with a live preview, and keeps its art byte for byte', async () => {
    const { context, page } = await signedIn(WRITER);
    await page.getByRole('link', { name: 'New snek' }).click();
    await page.waitForURL(`${server.url}/new`);
    await page.getByLabel('Name').fill('Edited Snek');
    await page.getByLabel('Type').fill('edited');
    await page.getByLabel('Art', { exact: true }).fill(ART);
    expect(await artOf(page, 'Preview of the art')).toBe(ART);
    // As you type, not only on fill: the preview follows each key.
    await page.getByLabel('Art', { exact: true }).press('End');
    await page.keyboard.type('<');
    expect(await artOf(page, 'Preview of the art')).toBe(`${ART}<`);
    await page.keyboard.press('Backspace');
    // With script the preview is live, so its button is hidden.
    expect(await page.getByRole('button', { name: 'Preview' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(`${server.url}/s/edited-snek?saved=1`);
    expect(await page.locator('.notice').textContent()).toBe('Saved.');
    expect(await artOf(page, 'Edited Snek')).toBe(ART);
    // The write was made as the session's signer, and logged with who made it: the session's token, by name.
    expect((await current('edited-snek')).snek).toEqual({ id: 'edited-snek', name: 'Edited Snek', type: 'edited', content: ART, updatedAt: expect.any(String), updatedBy: { kind: 'token', name: 'writer' } });
    const line = server.output().stdout.split('\n').find((l) => l.includes('"method":"POST"') && l.includes('"url":"/new"'));
    expect(JSON.parse(line!)).toMatchObject({ status: 303, token: 'writer' });
    await context.close();
  }, 60_000);

  it('shows each error beside its field, keeps the input, and focuses the first error', async () => {
    const { context, page } = await signedIn(WRITER);
    await page.goto(`${server.url}/new`);
    await page.getByLabel('Name').fill('Bad type');
    await page.getByLabel('Type').fill('Not A Slug');
    await page.getByLabel('Art', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(`${server.url}/new`);
    await page.waitForFunction("document.activeElement && document.activeElement.id === 'type'");
    const type = page.getByLabel('Type');
    expect(await type.getAttribute('aria-invalid')).toBe('true');
    expect((await type.getAttribute('aria-describedby'))!.split(' ')).toContain('type-error');
    expect(await page.locator('#type-error').textContent()).toMatch(/^The type must be a slug/);
    expect(await page.locator('#content-error').textContent()).toBe('The art must not be empty');
    expect(await page.locator('#name-error').count()).toBe(0);
    expect(await page.getByLabel('Name').inputValue()).toBe('Bad type');
    expect(await type.inputValue()).toBe('Not A Slug');
    expect((await current('bad-type')).snek).toBeNull();
    await context.close();
  }, 60_000);

  it('edits a snek: the form starts from the snek as it is, and saves over it', async () => {
    expect(await putSnek({ id: 'to-edit', name: 'To edit', type: 'edited', content: 'before' })).toBe(201);
    const { context, page } = await signedIn(WRITER);
    await page.goto(`${server.url}/s/to-edit`);
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.waitForURL(`${server.url}/s/to-edit/edit`);
    expect(await page.getByLabel('Art', { exact: true }).inputValue()).toBe('before');
    expect(await page.locator('input[type=hidden][name=etag]').getAttribute('value')).toBe((await current('to-edit')).etag);
    await page.getByLabel('Art', { exact: true }).fill(ART);
    await page.getByLabel('Name').fill('Now edited');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`${server.url}/s/to-edit?saved=1`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Now edited');
    expect((await current('to-edit')).snek).toMatchObject({ id: 'to-edit', name: 'Now edited', type: 'edited', content: ART });
    // And again from the edited one: the leading blank line survives the round trip through the textarea.
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    expect(await page.getByLabel('Art', { exact: true }).inputValue()).toBe(ART);
    await context.close();
  }, 60_000);

  it('on a conflict shows theirs and yours; "save yours over theirs" keeps yours, "keep theirs" keeps theirs', async () => {
    const { context, page } = await signedIn(WRITER);
    for (const choice of ['yours', 'theirs'] as const) {
      expect(await putSnek({ id: 'contested', name: 'Contested', type: 'edited', content: 'original' })).toBe(choice === 'yours' ? 201 : 200);
      await page.goto(`${server.url}/s/contested/edit`);
      const loaded = (await current('contested')).etag!;
      // Someone else writes through the API between load and save.
      expect(await putSnek({ id: 'contested', name: 'Contested', type: 'edited', content: `theirs ${choice}` }, { 'if-match': loaded })).toBe(200);
      await page.getByLabel('Art', { exact: true }).fill(`mine ${choice}`);
      await page.getByLabel('Name').fill('Mine');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'Someone else changed this snek meanwhile' }).waitFor();
      // Nothing was written: theirs stands, and both are on the page.
      expect((await current('contested')).snek!.content).toBe(`theirs ${choice}`);
      expect(await artOf(page, 'Their art')).toBe(`theirs ${choice}`);
      expect(await page.getByLabel('Art', { exact: true }).inputValue()).toBe(`mine ${choice}`);
      expect(await page.getByLabel('Name').inputValue()).toBe('Mine');
      expect(await page.locator('input[type=hidden][name=etag]').getAttribute('value')).toBe((await current('contested')).etag);
      if (choice === 'yours') {
        await page.getByRole('button', { name: 'Save yours over theirs' }).click();
        await page.waitForURL(`${server.url}/s/contested?saved=1`);
        expect((await current('contested')).snek).toMatchObject({ name: 'Mine', content: 'mine yours' });
      } else {
        await page.getByRole('link', { name: 'Keep theirs' }).click();
        await page.waitForURL(`${server.url}/s/contested`);
        expect(await artOf(page, 'Contested')).toBe('theirs theirs');
        expect((await current('contested')).snek).toMatchObject({ name: 'Contested', content: 'theirs theirs' });
      }
    }
    await context.close();
  }, 60_000);

  it('on a conflict with a delete, or a create of an id that exists, still loses nothing', async () => {
    const { context, page } = await signedIn(WRITER);
    expect(await putSnek({ id: 'vanishing', name: 'Vanishing', type: 'edited', content: 'here' })).toBe(201);
    await page.goto(`${server.url}/s/vanishing/edit`);
    expect((await api('/sneks/vanishing', { method: 'DELETE' })).status).toBe(204);
    await page.getByLabel('Art', { exact: true }).fill('mine after all');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'This snek was deleted meanwhile' }).waitFor();
    expect(await page.getByLabel('Art', { exact: true }).inputValue()).toBe('mine after all');
    await page.getByRole('button', { name: 'Save yours again' }).click();
    await page.waitForURL(`${server.url}/s/vanishing?saved=1`);
    expect((await current('vanishing')).snek).toMatchObject({ id: 'vanishing', name: 'Vanishing', type: 'edited', content: 'mine after all' });

    await page.goto(`${server.url}/new`);
    await page.getByLabel('Id').fill('vanishing');
    await page.getByLabel('Name').fill('Another');
    await page.getByLabel('Type').fill('edited');
    await page.getByLabel('Art', { exact: true }).fill('another one');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'A snek with this id already exists' }).waitFor();
    expect(await artOf(page, 'Their art')).toBe('mine after all');
    expect(await page.getByLabel('Art', { exact: true }).inputValue()).toBe('another one');
    expect((await current('vanishing')).snek!.content).toBe('mine after all');
    await context.close();
  }, 60_000);

  it('deletes only after a confirmation page, which carries the ETag: a change meanwhile asks again', async () => {
    expect(await putSnek({ id: 'doomed', name: 'Doomed', type: 'edited', content: 'bye' })).toBe(201);
    const { context, page } = await signedIn(WRITER);
    await page.goto(`${server.url}/s/doomed`);
    await page.getByRole('link', { name: 'Delete', exact: true }).click();
    await page.waitForURL(`${server.url}/s/doomed/delete`);
    expect(await artOf(page, 'Doomed')).toBe('bye');
    // "Keep it" leaves it be.
    await page.getByRole('link', { name: 'Keep it' }).click();
    await page.waitForURL(`${server.url}/s/doomed`);
    expect((await current('doomed')).snek).not.toBeNull();
    // A change between the question and the answer: the page asks again about the snek as it is now.
    await page.getByRole('link', { name: 'Delete', exact: true }).click();
    expect(await putSnek({ id: 'doomed', name: 'Doomed', type: 'edited', content: 'changed' })).toBe(200);
    await page.getByRole('button', { name: 'Delete Doomed' }).click();
    await page.getByRole('heading', { name: 'Doomed changed meanwhile' }).waitFor();
    expect(await artOf(page, 'Doomed')).toBe('changed');
    expect((await current('doomed')).snek!.content).toBe('changed');
    await page.getByRole('button', { name: 'Delete Doomed' }).click();
    await page.waitForURL(`${server.url}/?deleted=1`);
    expect(await page.getByRole('status').textContent()).toBe('The snek was deleted.');
    expect((await current('doomed')).snek).toBeNull();
    await context.close();
  }, 60_000);

  it('creates and edits with JavaScript off: the Preview button shows the art without saving', async () => {
    const { context, page } = await signedIn(WRITER, { javaScriptEnabled: false });
    await page.getByRole('link', { name: 'New snek' }).click();
    await page.getByLabel('Name').fill('No script');
    await page.getByLabel('Type').fill('plain');
    await page.getByLabel('Art', { exact: true }).fill(ART);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.waitForURL(`${server.url}/new`);
    expect(await artOf(page, 'Preview of the art')).toBe(ART);
    expect(await page.getByLabel('Art', { exact: true }).inputValue()).toBe(ART);
    expect((await current('no-script')).snek).toBeNull();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(`${server.url}/s/no-script?saved=1`);
    expect((await current('no-script')).snek).toMatchObject({ id: 'no-script', name: 'No script', type: 'plain', content: ART });
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Art', { exact: true }).fill('edited without script');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`${server.url}/s/no-script?saved=1`);
    expect(await artOf(page, 'No script')).toBe('edited without script');
    // Errors come back as a page too, with the input kept.
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Type').fill('Bad Type');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.locator('#type-error').textContent()).toMatch(/^The type must be a slug/);
    expect(await page.getByLabel('Type').inputValue()).toBe('Bad Type');
    expect((await current('no-script')).snek!.type).toBe('plain');
    await context.close();
  }, 60_000);

  it('works with the keyboard alone: Tab reaches each field in order, Enter saves', async () => {
    const { context, page } = await signedIn(WRITER);
    await page.goto(`${server.url}/new`);
    const order: string[] = [];
    for (let i = 0; i < 12 && order.at(-1) !== 'content'; i += 1) {
      await page.keyboard.press('Tab');
      order.push(String(await activeId(page)));
    }
    expect(order.filter((id) => ['id', 'name', 'type', 'content'].includes(id))).toEqual(['id', 'name', 'type', 'content']);
    await page.keyboard.type('  ~<');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.type('keys');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.type('By keys');
    // Enter in a text field sends the form with its first button: Create.
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/s/by-keys?saved=1`);
    expect((await current('by-keys')).snek).toMatchObject({ id: 'by-keys', name: 'By keys', type: 'keys', content: '  ~<' });
    await context.close();
  }, 60_000);

  it.each(['light', 'dark'] as const)('has no serious or critical axe violations on the editor pages in %s mode', async (colorScheme) => {
    expect(await putSnek({ id: 'axe', name: 'Axe', type: 'edited', content: 'axe' })).toBeLessThan(300);
    const { context, page } = await signedIn(WRITER, { colorScheme });
    const violations: string[] = [];
    const check = async (what: string) => {
      const results = await new AxeBuilder({ page }).analyze();
      for (const v of results.violations) if (v.impact === 'serious' || v.impact === 'critical') violations.push(`${what}: ${v.id} (${v.impact}): ${v.nodes.length} nodes`);
    };
    for (const path of ['/', '/s/axe', '/new', '/s/axe/edit', '/s/axe/delete']) {
      await page.goto(server.url + path);
      await check(path);
    }
    await page.goto(`${server.url}/new`);
    await page.getByLabel('Type').fill('Not A Slug');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('#type-error').waitFor();
    await check('/new with errors');
    await page.goto(`${server.url}/s/axe/edit`);
    expect(await putSnek({ id: 'axe', name: 'Axe', type: 'edited', content: `axe ${colorScheme}` })).toBe(200);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Someone else changed this snek meanwhile' }).waitFor();
    await check('the conflict page');
    await page.goto(`${server.url}/s/axe/delete`);
    expect(await putSnek({ id: 'axe', name: 'Axe', type: 'edited', content: `axe ${colorScheme} again` })).toBe(200);
    await page.getByRole('button', { name: 'Delete Axe' }).click();
    await page.getByRole('heading', { name: 'Axe changed meanwhile' }).waitFor();
    await check('the delete page after a change');
    await page.goto(`${server.url}/new`);
    await page.getByLabel('Art', { exact: true }).fill('typed');
    await context.clearCookies();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Not saved: you are signed out' }).waitFor();
    await check('the signed-out page that keeps what was typed');
    expect(violations).toEqual([]);
    await context.close();
  }, 180_000);
});

describeInBrowser('who may write from the browser', () => {
  it('shows a reader no editing controls, and refuses the editor and a crafted post with 403', async () => {
    const { context, page } = await signedIn(READER);
    expect(await page.getByRole('link', { name: 'New snek' }).count()).toBe(0);
    await page.goto(`${server.url}/s/cute`);
    expect(await page.getByRole('link', { name: 'Edit', exact: true }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Delete', exact: true }).count()).toBe(0);
    for (const path of ['/new', '/s/cute/edit', '/s/cute/delete']) {
      const response = await page.goto(server.url + path);
      expect([path, response!.status()]).toEqual([path, 403]);
    }
    // The reader's own session and CSRF token, posted from the server's own page: still no write scope.
    const csrf = await page.locator('form[action="/signout"] input[name=csrf]').getAttribute('value');
    const { etag } = await current('cute');
    const posts = [
      ['/new', { csrf, id: 'by-reader', name: 'By reader', type: 'evil', content: 'nope' }],
      ['/s/cute/edit', { csrf, etag, name: 'By reader', type: 'evil', content: 'nope' }],
      ['/s/cute/delete', { csrf, etag }],
    ] as const;
    for (const [path, fields] of posts) {
      const status = await page.evaluate(`fetch(${JSON.stringify(path)}, { method: 'POST', body: new URLSearchParams(${JSON.stringify(fields)}) }).then((r) => r.status)`);
      expect([path, status]).toEqual([path, 403]);
    }
    expect((await current('by-reader')).snek).toBeNull();
    expect((await current('cute')).etag).toBe(etag);
    await context.close();
  }, 60_000);

  it('sends a browser with no session to sign in, and refuses a post without one', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/new`);
    await page.waitForURL(`${server.url}/signin`);
    const response = await fetch(`${server.url}/new`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ id: 'anon', name: 'Anon', type: 'evil', content: 'x' }) });
    expect(response.status).toBe(401);
    expect((await current('anon')).snek).toBeNull();
    await context.close();
  }, 60_000);

  it('when the sign-in ends while a person types, saves nothing and shows back what they typed', async () => {
    const { context, page } = await signedIn(WRITER);
    await page.goto(`${server.url}/new`);
    await page.getByLabel('Name').fill('Late');
    await page.getByLabel('Type').fill('late');
    await page.getByLabel('Art', { exact: true }).fill(ART);
    // The session ends (signed out in another tab, or expired): the browser no longer sends it.
    await context.clearCookies();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Not saved: you are signed out' }).waitFor();
    expect(await artOf(page, 'The art you typed')).toBe(ART);
    expect((await current('late')).snek).toBeNull();
    await context.close();
  }, 60_000);

  it('refuses a writer’s post with a missing, wrong or another session’s CSRF token', async () => {
    const { context, page } = await signedIn(WRITER);
    const other = await signedIn(WRITER);
    const otherCsrf = await other.page.locator('form[action="/signout"] input[name=csrf]').getAttribute('value');
    await other.context.close();
    for (const csrf of [undefined, '', 'wrong', otherCsrf]) {
      const fields = { ...(csrf === undefined ? {} : { csrf }), id: 'no-csrf', name: 'No CSRF', type: 'evil', content: 'x' };
      const status = await page.evaluate(`fetch('/new', { method: 'POST', body: new URLSearchParams(${JSON.stringify(fields)}) }).then((r) => r.status)`);
      expect([csrf, status]).toEqual([csrf, 403]);
    }
    expect((await current('no-csrf')).snek).toBeNull();
    // The control: the right token, from the same page, is taken.
    const csrf = await page.locator('form[action="/signout"] input[name=csrf]').getAttribute('value');
    const fields = { csrf, id: 'no-csrf', name: 'With CSRF', type: 'evil', content: 'x' };
    expect(await page.evaluate(`fetch('/new', { method: 'POST', body: new URLSearchParams(${JSON.stringify(fields)}) }).then((r) => r.status)`)).toBe(200);
    expect((await current('no-csrf')).snek).toMatchObject({ name: 'With CSRF' });
    await context.close();
  }, 60_000);

  it('never lets the session cookie authorise the JSON API’s writes', async () => {
    const { context } = await signedIn(WRITER);
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const put = await fetch(`${server.url}/v1/sneks/by-cookie`, { method: 'PUT', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'n', type: 't', content: 'c' }) });
    const del = await fetch(`${server.url}/v1/sneks/cute`, { method: 'DELETE', headers: { cookie } });
    expect([put.status, del.status]).toEqual([401, 401]);
    expect((await current('by-cookie')).snek).toBeNull();
    expect((await current('cute')).snek).not.toBeNull();
    await context.close();
  }, 60_000);
});

describeInBrowser('a page on another origin that posts the editor’s forms', () => {
  let foreign: Server;
  let page = '';
  beforeAll(async () => {
    foreign = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => foreign.close(() => resolve())));
  const foreignPort = () => (foreign.address() as AddressInfo).port;

  /** A page that posts `fields` to `target` as soon as it loads, as an attacker's would. */
  const autoPost = (target: string, fields: Record<string, string>) =>
    `<!doctype html><title>Win a prize</title><form method="post" action="${target}">${Object.entries(fields)
      .map(([name, value]) => `<input type="hidden" name="${name}" value="${value.replaceAll('"', '&quot;')}">`)
      .join('')}</form><script>document.forms[0].submit()</script>`;

  it('from another site (evil.test) is refused, and changes nothing', async () => {
    const { context, page: tab } = await signedIn(WRITER);
    const { etag } = await current('cute');
    const attacks = [
      ['/new', { id: 'pwned', name: 'Pwned', type: 'evil', content: 'pwned' }],
      ['/s/cute/edit', { etag: etag!, name: 'Pwned', type: 'evil', content: 'pwned' }],
      ['/s/cute/delete', { etag: etag! }],
    ] as const;
    for (const [path, fields] of attacks) {
      page = autoPost(`${server.url}${path}`, fields);
      const answer = tab.waitForResponse((r) => r.url() === `${server.url}${path}` && r.request().method() === 'POST');
      await tab.goto(`http://${FOREIGN_HOST}:${foreignPort()}/`);
      const response = await answer;
      expect([path, response.status()]).toEqual([path, 403]);
      expect(await response.text()).toContain('can only be sent from');
    }
    expect((await current('pwned')).snek).toBeNull();
    expect((await current('cute')).etag).toBe(etag);
    await context.close();
  }, 60_000);

  it('from the same site on another port is refused by the origin check, though it sends the cookie and the right CSRF token', async () => {
    // Cookies are not kept apart by port: a page on snek.test:OTHER gets the session cookie sent along, and
    // here it even has the CSRF token. Only the same-origin check stands in its way.
    const base = server.url.replace('127.0.0.1', PLAIN_HTTP_HOST);
    const { context, page: tab } = await signedIn(WRITER, {}, base);
    const csrf = (await tab.locator('form[action="/signout"] input[name=csrf]').getAttribute('value'))!;
    page = autoPost(`${base}/new`, { csrf, id: 'same-site', name: 'Same site', type: 'evil', content: 'pwned' });
    const answer = tab.waitForResponse((r) => r.url() === `${base}/new` && r.request().method() === 'POST');
    await tab.goto(`http://${PLAIN_HTTP_HOST}:${foreignPort()}/`);
    const response = await answer;
    const sent = await response.request().allHeaders();
    // Over plain http Chromium sends no Sec-Fetch-Site: the Origin header is what tells the pages apart.
    expect(sent['origin']).toBe(`http://${PLAIN_HTTP_HOST}:${foreignPort()}`);
    expect(sent['cookie']).toMatch(/snek_session=/);
    expect(response.status()).toBe(403);
    expect((await current('same-site')).snek).toBeNull();
    await context.close();
  }, 60_000);

  it('that auto-posts /signin with the attacker’s own token is refused: no browser is signed in as someone else (login CSRF)', async () => {
    const context = await newContext();
    const tab = await context.newPage();
    // The attacker has a token of their own and even a sign-in form's CSRF token, fetched from the server directly.
    const form = await (await fetch(`${server.url}/signin`)).text();
    const csrf = /name="csrf" value="([\w-]+)"/.exec(form)![1]!;
    page = autoPost(`${server.url}/signin`, { csrf, token: READER });
    const answer = tab.waitForResponse((r) => r.url() === `${server.url}/signin` && r.request().method() === 'POST');
    await tab.goto(`http://${FOREIGN_HOST}:${foreignPort()}/`);
    const response = await answer;
    expect(response.status()).toBe(403);
    expect((await context.cookies(server.url)).map((cookie) => cookie.name)).not.toContain('snek_session');
    await context.close();
  }, 60_000);

  it('logged no console error and no CSP violation on any page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
