// The test IdP itself: what the other tests lean on (its device flow, its JWT access tokens and their claims).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { browserSkipReason, launchChromium } from '../../server/test/helpers/browser.js';
import { ACCOUNTS, approveDeviceCode, startIdp, type TestIdp } from './helpers/idp.js';

const skip = browserSkipReason();
const describeBrowser = skip ? describe.skip : describe;
if (skip) console.warn(`skipping the IdP's device flow test: ${skip}`);

describeBrowser('the test IdP', () => {
  let idp: TestIdp;
  let browser: Browser;
  beforeAll(async () => {
    idp = await startIdp({ accessTokenTtl: 60 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.close();
  });

  it('approves a device code in Chromium and issues a JWT for the API with the groups, and a refresh token', async () => {
    const config = await client.discovery(new URL(idp.issuer), idp.deviceClientId, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const started = await client.initiateDeviceAuthorization(config, { scope: 'openid profile email offline_access', resource: idp.resource });
    const page = await browser.newPage();
    try {
      const polled = client.pollDeviceAuthorizationGrant(config, { ...started, interval: 0.2 } as typeof started, { resource: idp.resource });
      await approveDeviceCode(page, started.verification_uri, started.user_code, 'alice');
      const tokens = await polled;
      expect(decodeProtectedHeader(tokens.access_token).alg).toBe('RS256');
      const claims = decodeJwt(tokens.access_token);
      expect(claims).toMatchObject({ iss: idp.issuer, aud: idp.audience, sub: 'alice', groups: ACCOUNTS.alice.groups });
      expect(claims.exp! - claims.iat!).toBe(60);
      expect(tokens.refresh_token).toEqual(expect.any(String));
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!, { resource: idp.resource });
      expect(decodeJwt(refreshed.access_token)).toMatchObject({ aud: idp.audience, sub: 'alice' });
    } finally {
      await page.close();
    }
  });

  it('mints refusable tokens that differ from a good one in one way each', async () => {
    const good = decodeJwt(await idp.mint({ account: 'bob' }));
    expect(good).toMatchObject({ iss: idp.issuer, aud: idp.audience, sub: 'bob', groups: ['snek-readers'] });
    const bad = await idp.refusable('bob');
    expect(decodeJwt(bad.expired).exp! * 1000).toBeLessThan(Date.now());
    expect(decodeJwt(bad.wrongAudience).aud).not.toBe(idp.audience);
    expect(decodeJwt(bad.wrongIssuer).iss).not.toBe(idp.issuer);
    expect(decodeProtectedHeader(bad.algNone).alg).toBe('none');
    expect(decodeProtectedHeader(bad.foreignKey).kid).toBe(decodeProtectedHeader(await idp.mint()).kid);
  });
});
