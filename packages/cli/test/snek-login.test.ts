import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { approveDeviceCode, startIdp, type AccountName, type TestIdp } from '../../auth-oidc/test/helpers/idp.js';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { browserSkipReason, launchChromium } from '../../server/test/helpers/browser.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from '../../server/test/helpers/server-process.js';
import { expectOneLineError } from './helpers/one-line-error.js';
import { runSnek, startSnek, type SnekRun } from './helpers/run-snek.js';

// `snek login` for real: the CLI as a child process, the real server with the oidc provider, oidc-provider as the
// company's identity provider, and the person's approval of the device code in Chromium.
const skip = browserSkipReason();
const OIDC = fileURLToPath(new URL('../../auth-oidc', import.meta.url));
const CI_TOKEN = 'login-test-ci-token';
const READER_TOKEN = 'login-test-reader-token';
const SCOPES = { 'snek-writers': ['read', 'write'], 'snek-readers': ['read'] };

let dir: TempDir;
let idp: TestIdp;
/** An identity provider whose access tokens live 10 s: under the CLI's renewal margin, so each use renews them. */
let quickIdp: TestIdp;
let server: ServerProcess;
let browser: Browser;
let cliDir: string;
let credentials: string;

const oidcEntry = (name: string, of: TestIdp, secretEnv: string, device: boolean) => ({
  use: OIDC,
  name,
  options: { issuer: of.issuer, clientId: of.clientId, clientSecretEnv: secretEnv, ...(device ? { deviceClientId: of.deviceClientId, resource: of.resource } : {}), audience: of.audience, scopes: SCOPES },
});

beforeAll(async () => {
  if (skip) return;
  dir = await tempDir('snek-login-');
  [idp, quickIdp] = await Promise.all([startIdp(), startIdp({ accessTokenTtl: 10 })]);
  const snekrc = {
    server: {
      publicUrl: 'http://snek.example.test',
      auth: {
        read: 'token',
        tokens: [
          { name: 'ci', env: 'CI_TOKEN', scopes: ['read', 'write'] },
          { name: 'reader', env: 'READER_TOKEN', scopes: ['read'] },
        ],
        signIn: [oidcEntry('oidc', idp, 'IDP_SECRET', true), oidcEntry('quick', quickIdp, 'QUICK_SECRET', true), oidcEntry('webonly', idp, 'IDP_SECRET', false)],
      },
    },
  };
  await dir.write('server/.snekrc.json', JSON.stringify(snekrc));
  server = await startServerProcess({
    cwd: path.join(dir.path, 'server'),
    env: cleanEnv(dir.path, { SNEK_STORE: 'memory', CI_TOKEN, READER_TOKEN, IDP_SECRET: idp.clientSecret, QUICK_SECRET: quickIdp.clientSecret }),
  });
  cliDir = path.dirname(await dir.write('cli/.keep', ''));
  credentials = path.join(dir.path, '.xdg', 'snek', 'credentials.json');
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  if (skip) return;
  await browser?.close();
  await server?.stop();
  killAllServers();
  await Promise.all([idp?.close(), quickIdp?.close()]);
  await dir?.cleanup();
});

const env = (extra: NodeJS.ProcessEnv = {}) => cleanEnv(dir.path, { SNEK_URL: server.url, SNEK_NO_CACHE: '1', ...extra });
const snek = (args: string[], extra: NodeJS.ProcessEnv = {}, cwd = cliDir) => runSnek(args, { cwd, env: env(extra) });
const saved = async () => JSON.parse(await readFile(credentials, 'utf8')) as Record<string, { issuer: string; clientId: string; accessToken: string; refreshToken: string | null; expiresAt: string | null; resource?: string }>;

/** In a fresh browser context (no IdP session), does what the person does with the code the CLI printed. */
async function inBrowser(act: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext();
  try {
    await act(await context.newPage());
  } finally {
    await context.close();
  }
}

/** `snek login` as a child process, approved in Chromium as `account`. */
async function login(account: AccountName, args: string[] = []): Promise<SnekRun> {
  const running = startSnek(['login', ...args], { cwd: cliDir, env: env() });
  try {
    const [, uri, code] = await running.stderrMatch(/open (\S+) and enter the code (\S+)\n/);
    await inBrowser((page) => approveDeviceCode(page, uri!, code!, account));
  } catch (error) {
    running.kill();
    throw error;
  }
  return running.done;
}

const describeWithBrowser = skip ? describe.skip : describe;
if (skip) it.skip(`snek login end to end: ${skip}`, () => {});

describeWithBrowser('snek login, whoami and push against the real server and identity provider', () => {
  let first: SnekRun;

  it('snek login prints where to approve; once approved in Chromium it keeps the tokens in credentials.json, 0600 in a 0700 folder', async () => {
    first = await login('alice');
    expect([first.code, first.stdout.toString()]).toEqual([0, `logged in to ${server.url} as Alice Example <alice@example.test> (sub alice, via oidc); scopes: read, write\n`]);
    expect(first.stderr).toMatch(/^To sign in, open http:\/\/127\.0\.0\.1:\d+\/device and enter the code \S+\n {2}or open \S+user_code=\S+\nWaiting for you to approve it \(the code lasts 5 minutes\)…\n$/);
    expect((await stat(credentials)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(credentials))).mode & 0o777).toBe(0o700);
    expect(await readdir(path.dirname(credentials))).toEqual(['credentials.json']);
    const logins = await saved();
    expect(Object.keys(logins)).toEqual([server.url]);
    expect(logins[server.url]).toEqual({
      issuer: idp.issuer,
      clientId: idp.deviceClientId,
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refreshToken: expect.any(String),
      expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      resource: idp.resource,
    });
    expect(Date.parse(logins[server.url]!.expiresAt!)).toBeGreaterThan(Date.now() + 60_000);
    for (const secret of [logins[server.url]!.accessToken, logins[server.url]!.refreshToken!]) expect(first.stdout.toString() + first.stderr).not.toContain(secret);
  }, 90_000);

  it("the README's example of snek login has the lines it prints, in their order", async () => {
    expect(first?.code).toBe(0);
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const example = /### Signing in: `snek login`[\s\S]*?```text\n([\s\S]*?)```/.exec(readme)![1]!.split('\n');
    const shape = (line: string) => line.replace(/https?:\/\/\S+/g, 'URL').replace(/enter the code \S+/, 'enter the code CODE').replace(/lasts \d+ minutes/, 'lasts N minutes').replace(/ as .* \(sub .*, via \w+\); scopes: .*/, ' as WHO; scopes: SCOPES');
    const printed = [...first.stderr.split('\n').slice(0, 3), first.stdout.toString().trimEnd()];
    expect(example.slice(0, 4).map(shape)).toEqual(printed.map(shape));
  });

  it('snek whoami says who the server takes the login for, its scopes and where the token came from; --json gives the JSON', async () => {
    expect(first?.code).toBe(0);
    const run = await snek(['whoami']);
    expect([run.code, run.stdout.toString(), run.stderr]).toEqual([0, `${server.url}: Alice Example <alice@example.test> (sub alice, via oidc)\nscopes: read, write\ntoken: from snek login (credentials.json)\n`, '']);
    const json = await snek(['whoami', '--json']);
    expect(JSON.parse(json.stdout.toString())).toEqual({ actor: { kind: 'person', id: 'alice', name: 'Alice Example', email: 'alice@example.test', via: 'oidc' }, scopes: ['read', 'write'] });
  });

  it('snek push writes with the login, and the private server lets it read', async () => {
    const push = await runSnek(['push', '-', '--name', 'Login Snek', '--type', 'login'], { cwd: cliDir, env: env(), input: '~~<\n' });
    expect([push.code, push.stdout.toString(), push.stderr]).toEqual([0, 'created login-snek\n', '']);
    const list = await snek(['list', '--type', 'login']);
    expect([list.code, list.stdout.toString()]).toEqual([0, 'login-snek  Login Snek (login)\n']);
    // `snek NAME` (the fast path, else the full CLI) prints with the login too.
    const show = await snek(['Login Snek']);
    expect([show.code, show.stdout.toString(), show.stderr]).toEqual([0, '~~<\n', '']);
  });

  it('a token comes first: --token, then SNEK_TOKEN, then client.token, then the login', async () => {
    const whoIs = async (args: string[], extra: NodeJS.ProcessEnv, cwd = cliDir) => {
      const run = await snek(['whoami', '--json', ...args], extra, cwd);
      expect([run.code, run.stderr]).toEqual([0, '']);
      return (JSON.parse(run.stdout.toString()) as { actor: { id: string } }).actor.id;
    };
    const withFile = path.dirname(await dir.write('cli/with-token/.snekrc', `client:\n  token: ${READER_TOKEN}\n`));
    expect(await whoIs([], {})).toBe('alice');
    expect(await whoIs([], {}, withFile)).toBe('reader');
    expect(await whoIs([], { SNEK_TOKEN: CI_TOKEN }, withFile)).toBe('ci');
    expect(await whoIs(['--token', READER_TOKEN], { SNEK_TOKEN: CI_TOKEN }, withFile)).toBe('reader');
    // A reader's client.token really is the one sent: a push with it is refused, though the login may write.
    const push = await runSnek(['push', '-', '--name', 'Shadowed', '--type', 'login'], { cwd: withFile, env: env(), input: 'x\n' });
    expectOneLineError(push, 5, /write/);
  });

  it('snek config says the token is from snek login, or which token comes first, and never prints a token', async () => {
    const { accessToken, refreshToken } = (await saved())[server.url]!;
    const fromLogin = await snek(['config']);
    expect(fromLogin.stdout.toString()).toContain('token         from snek login (credentials.json)\n');
    expect(fromLogin.stdout.toString()).toContain(`credentials   ${credentials}\n`);
    const fromEnv = await snek(['config'], { SNEK_TOKEN: CI_TOKEN });
    expect(fromEnv.stdout.toString()).toContain('token         from env SNEK_TOKEN; a snek login is saved too, but this token comes first\n');
    const json = await snek(['config', '--json']);
    expect(JSON.parse(json.stdout.toString())).toMatchObject({ client: { url: server.url, token: 'from snek login (credentials.json)', credentials } });
    for (const run of [fromLogin, fromEnv, json]) for (const secret of [accessToken, refreshToken!, CI_TOKEN]) expect(run.stdout.toString() + run.stderr).not.toContain(secret);
  });

  it('snek logout forgets this server\'s tokens and says so; again, it says "not logged in" and still exits 0', async () => {
    const out = await snek(['logout']);
    expect([out.code, out.stdout.toString(), out.stderr]).toEqual([0, `logged out of ${server.url}: its tokens are gone from ${credentials}\n`, '']);
    expect(await saved()).toEqual({});
    expect((await stat(credentials)).mode & 0o777).toBe(0o600);
    const again = await snek(['logout']);
    expect([again.code, again.stdout.toString(), again.stderr]).toEqual([0, `not logged in to ${server.url}\n`, '']);
    const nobody = await snek(['whoami']);
    expect([nobody.code, nobody.stdout.toString()]).toEqual([0, `${server.url}: nobody (no token): run snek login, or give a token\nscopes: none\ntoken: not set\n`]);
  });
});

describeWithBrowser('snek login: renewal and refusals', () => {
  it('an access token about to expire is renewed with the refresh token before the request, and the new one saved', async () => {
    const run = await login('bob', ['--provider', 'quick']);
    expect([run.code, run.stdout.toString()]).toEqual([0, `logged in to ${server.url} as Bob Example <bob@example.test> (sub bob, via quick); scopes: read\n`]);
    const before = (await saved())[server.url]!;
    expect(before.issuer).toBe(quickIdp.issuer);
    const who = await snek(['whoami']);
    expect([who.code, who.stdout.toString(), who.stderr]).toEqual([0, `${server.url}: Bob Example <bob@example.test> (sub bob, via quick)\nscopes: read\ntoken: from snek login (credentials.json)\n`, '']);
    const after = (await saved())[server.url]!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect({ ...after, accessToken: '', expiresAt: '', refreshToken: '' }).toEqual({ ...before, accessToken: '', expiresAt: '', refreshToken: '' });
    expect((await stat(credentials)).mode & 0o777).toBe(0o600);
    // The fast path hands an expiring login to the full CLI, which renews it.
    const list = await snek(['Login Snek']);
    expect([list.code, list.stdout.toString(), list.stderr]).toEqual([0, '~~<\n', '']);
    expect((await saved())[server.url]!.accessToken).not.toBe(after.accessToken);
  }, 90_000);

  it('a refresh the identity provider refuses says to run snek login again, in one line, exit 5', async () => {
    const logins = await saved();
    logins[server.url] = { ...logins[server.url]!, refreshToken: 'not-a-refresh-token', expiresAt: new Date(Date.now() - 1000).toISOString() };
    await writeFile(credentials, JSON.stringify(logins));
    expectOneLineError(await snek(['whoami']), 5, /^snek: your snek login for http:\S+ has expired and could not be renewed: .*invalid_grant.*run snek login again\n$/);
    expectOneLineError(await snek(['list']), 5, /run snek login again/);
  });

  it('the person refusing at the identity provider exits 5, and keeps nothing', async () => {
    await snek(['logout']);
    const running = startSnek(['login'], { cwd: cliDir, env: env() });
    const [, uri, code] = await running.stderrMatch(/open (\S+) and enter the code (\S+)\n/);
    await inBrowser(async (page) => {
      await page.goto(uri!);
      await page.locator('input[name="user_code"]').fill(code!);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Confirm the device' }).waitFor();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Cancel' }).click();
    });
    const run = await running.done;
    expect(run.code).toBe(5);
    expect(run.stdout.toString()).toBe('');
    expect(run.stderr.split('\n').at(-2)).toMatch(/^snek: the sign-in was refused at the identity provider http:\S+: .*Run snek login again to retry$/);
    expect(await saved()).toEqual({});
  }, 90_000);

  it('a provider with no device client, or an unknown one, is named in one line before anything is asked', async () => {
    expectOneLineError(await snek(['login', '--provider', 'webonly']), 5, /offers no sign-in for the CLI: its sign-in provider "webonly" has no deviceClientId\. Use a token/);
    expectOneLineError(await snek(['login', '--provider', 'nope']), 2, /has no sign-in provider named "nope"; it has oidc, quick, webonly$/m);
  });

  it('completion offers the server\'s sign-in providers after --provider', async () => {
    const run = await snek(['--get-yargs-completions', 'snek', 'login', '--provider', ''], { SHELL: '/bin/bash' });
    expect([run.code, run.stdout.toString(), run.stderr]).toEqual([0, 'oidc\nquick\nwebonly\n', '']);
  });
});
