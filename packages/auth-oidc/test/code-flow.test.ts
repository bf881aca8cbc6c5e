// The authorization code flow in Chromium, through the provider's own start() and finish(), with a tiny listener
// standing in for the server's callback route.
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from '@jest/globals';
import type { AuthProvider, SignedIn } from '@snek/core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as client from 'openid-client';
import { browserSkipReason, launchChromium } from '../../server/test/helpers/browser.js';
import { approveDeviceCode, signInAt, startIdp, type AccountName, type TestIdp } from './helpers/idp.js';
import { createProvider, listenForCallbacks, type CallbackListener } from './helpers/provider.js';

const skip = browserSkipReason();
const describeBrowser = skip ? describe.skip : describe;
if (skip) console.warn(`skipping the code flow tests: ${skip}`);

describeBrowser('oidc code flow in Chromium', () => {
  let idp: TestIdp;
  let callback: CallbackListener;
  let provider: AuthProvider;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [idp, callback, browser] = await Promise.all([startIdp(), listenForCallbacks(), launchChromium()]);
    idp.allowRedirectUri(callback.url);
    provider = await createProvider(idp, { audience: idp.audience }, { callbackUrl: callback.url });
  });
  afterAll(async () => {
    await browser?.close();
    await callback?.close();
    await idp?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
    callback.received.length = 0;
  });
  afterEach(async () => {
    await context.close();
  });

  /** start(), the IdP's pages as `account`, and the URL the browser came back to. */
  async function signInAs(account: AccountName): Promise<{ back: URL; pending: string }> {
    const { location, pending } = await provider.redirect!.start();
    await page.goto(location);
    await signInAt(page, account);
    await page.waitForURL(`${callback.url}?**`);
    expect(callback.received).toHaveLength(1);
    return { back: callback.received[0]!, pending };
  }

  const failure = (promise: Promise<SignedIn>) => promise.then((value) => { throw new Error(`signed in: ${JSON.stringify(value)}`); }, (error: unknown) => error as Error & { code: string });

  it('sends the browser with PKCE (S256), state and nonce, and no secret in the URL', async () => {
    const { location, pending } = await provider.redirect!.start();
    const url = new URL(location);
    expect(url.origin).toBe(idp.issuer);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ client_id: idp.clientId, response_type: 'code', redirect_uri: callback.url, code_challenge_method: 'S256', scope: 'openid profile email' });
    for (const name of ['state', 'nonce', 'code_challenge']) expect(url.searchParams.get(name)).toMatch(/^[\w-]{20,}$/);
    expect(location).not.toContain(idp.clientSecret);
    expect(location).not.toContain(JSON.parse(pending).verifier);
  });

  it('signs alice in with her name, email and the scopes of her group', async () => {
    const { back, pending } = await signInAs('alice');
    expect(await provider.redirect!.finish(back, pending)).toEqual({
      person: { sub: 'alice', name: 'Alice Example', email: 'alice@example.test' },
      scopes: ['read', 'write'],
      groups: ['snek-writers'],
    });
  });

  it('signs carol in with no scope, for the server to refuse and explain', async () => {
    const { back, pending } = await signInAs('carol');
    expect(await provider.redirect!.finish(back, pending)).toMatchObject({ person: { sub: 'carol' }, scopes: [], groups: [] });
  });

  it('refuses a code used twice (invalid_grant), saying to start again', async () => {
    const { back, pending } = await signInAs('bob');
    await provider.redirect!.finish(back, pending);
    const error = await failure(provider.redirect!.finish(back, pending));
    expect(error.code).toBe('AUTH_SIGN_IN_FAILED');
    expect(error.message).toMatch(/invalid_grant.*Start the sign-in again/);
    expect(error.message).not.toContain(back.searchParams.get('code')!);
  });

  it("refuses an answer to another browser's sign-in (state mismatch)", async () => {
    const { back } = await signInAs('alice');
    const other = await provider.redirect!.start();
    const error = await failure(provider.redirect!.finish(back, other.pending));
    expect(error.code).toBe('AUTH_SIGN_IN_FAILED');
    expect(error.message).toMatch(/does not belong to the sign-in this browser started/);
  });

  it('refuses a sign-in the person denied at the IdP (access_denied), without echoing its description', async () => {
    const { location, pending } = await provider.redirect!.start();
    await page.goto(location);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(`${callback.url}?**`);
    const back = callback.received[0]!;
    expect(back.searchParams.get('error')).toBe('access_denied');
    const error = await failure(provider.redirect!.finish(back, pending));
    expect(error.code).toBe('AUTH_SIGN_IN_FAILED');
    expect(error.message).toMatch(/refused the sign-in \(access_denied\).*ask your administrator/);
    expect(error.message).not.toContain('The person refused');
  });

  it('refuses a callback with no pending sign-in, or a forged one', async () => {
    const { back } = await signInAs('alice');
    for (const pending of ['', 'not json', JSON.stringify({ v: 1, state: back.searchParams.get('state') })]) {
      const error = await failure(provider.redirect!.finish(back, pending));
      expect(error).toMatchObject({ code: 'AUTH_SIGN_IN_FAILED', message: expect.stringContaining('Start the sign-in again') });
    }
  });

  it('accepts the access token that a device login (snek login) gets from the IdP', async () => {
    const config = await client.discovery(new URL(idp.issuer), idp.deviceClientId, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const started = await client.initiateDeviceAuthorization(config, { scope: 'openid offline_access', resource: idp.resource });
    const polled = client.pollDeviceAuthorizationGrant(config, { ...started, interval: 0.2 } as typeof started, { resource: idp.resource });
    await approveDeviceCode(page, started.verification_uri, started.user_code, 'bob');
    const tokens = await polled;
    expect(await provider.verifyBearer!(tokens.access_token)).toMatchObject({ person: { sub: 'bob' }, scopes: ['read'], groups: ['snek-readers'] });
  });
});
