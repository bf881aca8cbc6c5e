// Options are checked at create(), with the key and the fix named; create() never touches the network.
import { describe, expect, it } from '@jest/globals';
import { SnekError } from '@snek/core';
import oidc from '../src/index.js';
import { context, optionsFor } from './helpers/provider.js';
import { CLIENT_SECRET_ENV } from './helpers/idp.js';

const idp = { issuer: 'https://login.example.test/realms/staff', clientId: 'snek-web' };
const env = { [CLIENT_SECRET_ENV]: 'not-a-real-secret' };

function refusal(options: Record<string, unknown>, ctx = context({ env })): SnekError {
  try {
    oidc.create(options as never, ctx);
  } catch (error) {
    if (SnekError.is(error)) return error;
    throw error;
  }
  throw new Error('create() accepted the options');
}

describe('oidc options', () => {
  it('makes a provider without any network (the issuer here does not exist) and describes it without secrets', async () => {
    const provider = await oidc.create(optionsFor(idp, { audience: 'urn:snek:api', deviceClientId: 'snek-cli', resource: 'urn:snek:api', displayName: 'Staff SSO' }) as never, context({ env }));
    expect(provider.displayName).toBe('Staff SSO');
    expect(provider.describe?.()).toEqual({ issuer: idp.issuer, audience: 'urn:snek:api', deviceClientId: 'snek-cli', resource: 'urn:snek:api' });
    expect(JSON.stringify(provider.describe?.())).not.toContain(env[CLIENT_SECRET_ENV]);
  });

  it('describes only what is configured', async () => {
    const provider = await oidc.create(optionsFor(idp) as never, context({ env }));
    expect(provider.describe?.()).toEqual({ issuer: idp.issuer });
    expect(provider.displayName).toBe('OpenID Connect');
  });

  it.each([
    ['no issuer', { ...optionsFor(idp), issuer: undefined }, /issuer/],
    ['an issuer that is not a URL', optionsFor(idp, { issuer: 'login.example.test' }), /issuer: must be the issuer URL/],
    ['plain http to another host', optionsFor(idp, { issuer: 'http://login.example.test' }), /issuer: must be https/],
    ['a query in the issuer', optionsFor(idp, { issuer: 'https://login.example.test/?x=1' }), /issuer: must have no query/],
    ['no clientId', { ...optionsFor(idp), clientId: undefined }, /clientId/],
    ['a secret where its variable name goes', optionsFor(idp, { clientSecretEnv: 'x9f-3k!secret' }), /clientSecretEnv: must be the name of an environment variable/],
    ['an unknown key', optionsFor(idp, { clientSecret: 'abc' }), /clientSecret: unknown key/],
    ['a scope that does not exist', optionsFor(idp, { scopes: { staff: ['read', 'delete'] } }), /scopes\.staff\.1/],
    ['alg none', optionsFor(idp, { algorithms: ['RS256', 'none'] }), /algorithms\.1: "none" means unsigned/],
    ['a symmetric algorithm', optionsFor(idp, { algorithms: ['HS256'] }), /algorithms\.0: HS256 is symmetric/],
    ['an unknown algorithm', optionsFor(idp, { algorithms: ['RS1'] }), /algorithms\.0: RS1 is not one of/],
    ['a clock skew of an hour', optionsFor(idp, { clockSkewSeconds: 3600 }), /clockSkewSeconds/],
    ['a scope with a space', optionsFor(idp, { requestScopes: ['openid groups'] }), /requestScopes\.0: must be an OAuth scope/],
  ])('refuses %s with AUTH_OPTIONS_INVALID naming the key', (_what, options, message) => {
    const error = refusal(options);
    expect(error.code).toBe('AUTH_OPTIONS_INVALID');
    expect(error.message).toMatch(message);
    expect(error.message).toContain('server.auth.signIn[0] in the test');
    expect(error.message).toContain('docs/sign-in.md');
  });

  it('refuses an unset client secret variable, naming it and saying what to set', () => {
    const error = refusal(optionsFor(idp), context({ env: {} }));
    expect(error.code).toBe('AUTH_OPTIONS_INVALID');
    expect(error.message).toContain(`environment variable ${CLIENT_SECRET_ENV}`);
    expect(error.message).toContain('Set it to the secret of client snek-web');
  });

  it('without server.publicUrl, refuses to start a sign-in and says to set it', async () => {
    const provider = await oidc.create(optionsFor(idp) as never, context({ env, callbackUrl: undefined }));
    const error = await provider.redirect!.start().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ code: 'AUTH_OPTIONS_INVALID' });
    expect((error as Error).message).toMatch(/set server\.publicUrl .* register <publicUrl>\/signin\/oidc\/callback/);
  });
});
