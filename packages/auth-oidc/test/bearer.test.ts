// The IdP's JWTs as bearer tokens, against the real IdP's JWKS: the good one accepted with its group's scopes,
// each bad one refused with the reason.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuthProvider } from '@snek/core';
import { startIdp, type TestIdp } from './helpers/idp.js';
import { createProvider } from './helpers/provider.js';

let idp: TestIdp;
let provider: AuthProvider;
beforeAll(async () => {
  idp = await startIdp();
  provider = await createProvider(idp, { audience: idp.audience });
});
afterAll(async () => {
  await idp?.close();
});

const verify = (token: string, using = provider) => using.verifyBearer!(token);
const refusalOf = (token: string, using = provider) =>
  verify(token, using).then(
    (value) => {
      throw new Error(`accepted: ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as Error & { code: string },
  );

describe('oidc verifyBearer', () => {
  it("accepts the IdP's JWT with the right audience, with the scopes of the person's groups", async () => {
    expect(await verify(await idp.mint({ account: 'alice' }))).toEqual({
      person: { sub: 'alice', name: 'Alice Example', email: 'alice@example.test' },
      scopes: ['read', 'write'],
      groups: ['snek-writers'],
    });
    expect(await verify(await idp.mint({ account: 'bob' }))).toMatchObject({ person: { sub: 'bob' }, scopes: ['read'] });
    expect(await verify(await idp.mint({ account: 'carol' }))).toMatchObject({ person: { sub: 'carol' }, scopes: [], groups: [] });
  });

  it('accepts a token just past its expiry within the clock skew, and refuses it without skew', async () => {
    const late = await idp.mint({ expiresIn: -10 });
    expect(await verify(late)).toMatchObject({ person: { sub: 'alice' } });
    const strict = await createProvider(idp, { audience: idp.audience, clockSkewSeconds: 0 });
    expect(await refusalOf(late, strict)).toMatchObject({ code: 'AUTH_TOKEN_INVALID', message: expect.stringContaining('expired') });
  });

  it.each([
    ['expired', /has expired/],
    ['wrongAudience', /audience \(aud\) is not urn:snek:api/],
    ['algNone', /unsigned \(alg "none"\)/],
    ['foreignKey', /signature is not made by any key the identity provider publishes/],
  ] as const)('refuses a token that is %s with AUTH_TOKEN_INVALID saying why', async (kind, why) => {
    const tokens = await idp.refusable('alice');
    const error = await refusalOf(tokens[kind]);
    expect(error.code).toBe('AUTH_TOKEN_INVALID');
    expect(error.message).toMatch(why);
    expect(error.message).not.toContain(tokens[kind]);
  });

  it('refuses a token that is not valid yet (nbf past the skew)', async () => {
    const error = await refusalOf(await idp.mint({ claims: { nbf: Math.floor(Date.now() / 1000) + 600 } }));
    expect(error).toMatchObject({ code: 'AUTH_TOKEN_INVALID', message: expect.stringContaining('not valid yet') });
  });

  it("leaves another issuer's token, and what is not a JWT, to someone else", async () => {
    const tokens = await idp.refusable('alice');
    await expect(verify(tokens.wrongIssuer)).resolves.toBeUndefined();
    await expect(verify('snek-config-token-123')).resolves.toBeUndefined();
    await expect(verify('a.b.c')).resolves.toBeUndefined();
  });

  it('refuses an algorithm outside options.algorithms', async () => {
    const esOnly = await createProvider(idp, { audience: idp.audience, algorithms: ['ES256'] });
    expect(await refusalOf(await idp.mint(), esOnly)).toMatchObject({ code: 'AUTH_TOKEN_INVALID', message: expect.stringContaining('algorithm RS256 is not one of ES256') });
  });

  it('takes no JWT at all when options.audience is not set, and says so', async () => {
    const noAudience = await createProvider(idp);
    expect(await refusalOf(await idp.mint(), noAudience)).toMatchObject({ code: 'AUTH_TOKEN_INVALID', message: expect.stringContaining('no options.audience') });
  });

  it('reads the groups from the claim options.groupsClaim names', async () => {
    const roles = await createProvider(idp, { audience: idp.audience, groupsClaim: 'roles' });
    const token = await idp.mint({ account: 'carol', claims: { roles: ['snek-writers'] } });
    expect(await verify(token, roles)).toMatchObject({ person: { sub: 'carol' }, scopes: ['read', 'write'], groups: ['snek-writers'] });
  });
});
