// An IdP that is down: the provider is made anyway, each use answers AUTH_UNAVAILABLE, and once the IdP is up
// the next use works (nothing failed is cached).
import { afterAll, describe, expect, it } from '@jest/globals';
import { startIdp, type TestIdp } from './helpers/idp.js';
import { createProvider, freePort } from './helpers/provider.js';

let idp: TestIdp | undefined;
afterAll(async () => {
  await idp?.close();
});

describe('an unreachable issuer', () => {
  it('gives AUTH_UNAVAILABLE for sign-in and JWTs, and works once the issuer is up', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const env = { SNEK_OIDC_CLIENT_SECRET: 'x' };
    const provider = await createProvider({ issuer, clientId: 'snek-web', env }, { audience: 'urn:snek:api' }, { callbackUrl: 'http://127.0.0.1:1/signin/oidc/callback' });

    const startError = await provider.redirect!.start().catch((error: unknown) => error as Error & { code: string });
    expect(startError).toMatchObject({ code: 'AUTH_UNAVAILABLE' });
    expect(startError.message).toContain(`The identity provider ${issuer} could not be reached for discovery`);
    expect(startError.message).toMatch(/ECONNREFUSED/);

    idp = await startIdp({ port });
    const token = await idp.mint({ account: 'bob' });
    // The same provider: this time discovery succeeds, and so do the JWKS.
    await expect(provider.verifyBearer!(token)).resolves.toMatchObject({ person: { sub: 'bob' }, scopes: ['read'] });
    const started = await provider.redirect!.start();
    expect(new URL(started.location).origin).toBe(issuer);
  });
});
