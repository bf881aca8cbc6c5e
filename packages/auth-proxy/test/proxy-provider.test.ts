import { describe, expect, it } from '@jest/globals';
import { SnekError, type AuthContext, type AuthProvider, type AuthRequest, type GroupScopes } from '@snek/core';
import plugin, { DEFAULT_DISPLAY_NAME } from '../src/index.js';

const context: AuthContext = { name: 'proxy', callbackUrl: undefined, configDir: '/srv', env: {}, origin: 'server.auth.signIn[0] in /srv/.snekrc' };
const SCOPES: GroupScopes = { 'snek-writers': ['read', 'write'], 'snek-admins': ['read', 'write', 'admin'], '*': ['read'] };

async function provider(options: Record<string, unknown> = {}): Promise<AuthProvider> {
  return plugin.create({ trustedProxies: ['127.0.0.1'], scopes: SCOPES, ...options }, context);
}

/** A request from `remoteAddress` with these headers, looked up by lower-case name as the server does. */
function from(remoteAddress: string | undefined, headers: Record<string, string> = {}): AuthRequest {
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { remoteAddress, header: (name) => lower.get(name) };
}

const ALICE = { 'X-Forwarded-User': 'alice', 'X-Forwarded-Email': 'alice@example.com', 'X-Forwarded-Groups': 'snek-writers, staff' };

async function optionsError(options: Record<string, unknown>): Promise<SnekError> {
  const error = await Promise.resolve()
    .then(() => plugin.create(options as never, context))
    .then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
  if (!SnekError.is(error)) throw new Error(`create() accepted ${JSON.stringify(options)}`);
  expect(error.code).toBe('AUTH_OPTIONS_INVALID');
  expect(error.message).toContain(context.origin);
  return error;
}

describe('the plugin', () => {
  it('is apiVersion 1, named proxy, and offers only fromRequest', async () => {
    expect([plugin.apiVersion, plugin.name]).toEqual([1, 'proxy']);
    const made = await provider();
    expect(typeof made.fromRequest).toBe('function');
    expect([made.redirect, made.verifyBearer, made.describe]).toEqual([undefined, undefined, undefined]);
    expect(made.displayName).toBe(DEFAULT_DISPLAY_NAME);
    expect((await provider({ displayName: 'Acme SSO' })).displayName).toBe('Acme SSO');
  });
});

describe('fromRequest(request): headers from a trusted proxy', () => {
  it('signs in the user header as sub, with the email, the groups and the scopes they map to', async () => {
    expect(await (await provider()).fromRequest!(from('127.0.0.1', ALICE))).toEqual({
      person: { sub: 'alice', email: 'alice@example.com' },
      scopes: ['read', 'write'],
      groups: ['snek-writers', 'staff'],
    });
  });

  it('without groups, the person has what "*" grants, and nothing without "*"', async () => {
    const user = { 'X-Forwarded-User': 'bob' };
    expect(await (await provider()).fromRequest!(from('127.0.0.1', user))).toEqual({ person: { sub: 'bob', email: undefined }, scopes: ['read'], groups: [] });
    expect(await (await provider({ scopes: { 'snek-admins': ['admin'] } })).fromRequest!(from('127.0.0.1', user))).toMatchObject({ scopes: [] });
    expect(await (await provider({ scopes: undefined })).fromRequest!(from('127.0.0.1', user))).toMatchObject({ scopes: [] });
  });

  it('reads the header names it is given instead of the defaults', async () => {
    const custom = await provider({ userHeader: 'Remote-User', emailHeader: 'Remote-Email', groupsHeader: 'Remote-Groups' });
    expect(await custom.fromRequest!(from('127.0.0.1', { 'Remote-User': 'carol', 'Remote-Email': 'carol@example.com', 'Remote-Groups': 'snek-admins' }))).toEqual({
      person: { sub: 'carol', email: 'carol@example.com' },
      scopes: ['read', 'write', 'admin'],
      groups: ['snek-admins'],
    });
    expect(await custom.fromRequest!(from('127.0.0.1', ALICE))).toBeUndefined();
  });

  it('an IPv4-mapped IPv6 peer (::ffff:127.0.0.1) is the IPv4 address it carries', async () => {
    const made = await provider();
    expect(await made.fromRequest!(from('::ffff:127.0.0.1', ALICE))).toMatchObject({ person: { sub: 'alice' } });
    expect(await made.fromRequest!(from('::FFFF:127.0.0.1', ALICE))).toMatchObject({ person: { sub: 'alice' } });
    expect(await made.fromRequest!(from('::ffff:127.0.0.2', ALICE))).toBeUndefined();
    const mappedEntry = await provider({ trustedProxies: ['::ffff:10.1.2.3'] });
    expect(await mappedEntry.fromRequest!(from('10.1.2.3', ALICE))).toMatchObject({ person: { sub: 'alice' } });
  });

  it('CIDR ranges of IPv4 and IPv6 hold the addresses inside them and no others', async () => {
    const made = await provider({ trustedProxies: ['10.0.0.0/8', 'fd00:abcd::/32', '::1'] });
    const signedIn = async (address: string) => (await made.fromRequest!(from(address, ALICE))) !== undefined;
    expect(await Promise.all(['10.0.0.1', '10.255.255.254', '::ffff:10.9.9.9', 'fd00:abcd::7', 'fd00:abcd:ffff::1', '::1'].map(signedIn))).toEqual([true, true, true, true, true, true]);
    expect(await Promise.all(['11.0.0.1', '127.0.0.1', 'fd00:abce::1', '::2', '192.168.0.1'].map(signedIn))).toEqual([false, false, false, false, false]);
  });
});

describe('fromRequest(request): what is ignored', () => {
  it('headers from an address not in trustedProxies, or from an unknown peer, sign no one in', async () => {
    const made = await provider();
    for (const address of ['127.0.0.2', '10.0.0.1', '::1', '::ffff:127.0.0.2', '', 'not-an-address', undefined]) expect(await made.fromRequest!(from(address, ALICE))).toBeUndefined();
  });

  it('a trusted peer with no user header signs no one in, whatever else it sends', async () => {
    expect(await (await provider()).fromRequest!(from('127.0.0.1', { 'X-Forwarded-Email': 'alice@example.com', 'X-Forwarded-Groups': 'snek-admins' }))).toBeUndefined();
  });

  it.each([
    ['that is empty', ''],
    ['that is blank', '   '],
    ['of over 256 characters', 'a'.repeat(257)],
    ['with a control character', 'alice\u0000'],
    ['with an escape sequence', 'alice\u001b[31m'],
    ['with a bidi override', 'alice\u202e'],
    ['with a line separator', 'alice\u2028bob'],
    ['with a comma, as a repeated header arrives', 'mallory, alice'],
  ])('a user header %s is ignored', async (_what, value) => {
    expect(await (await provider()).fromRequest!(from('127.0.0.1', { ...ALICE, 'X-Forwarded-User': value }))).toBeUndefined();
  });

  it('a user of exactly 256 characters, with spaces and non-ASCII letters, is kept', async () => {
    const made = await provider();
    expect(await made.fromRequest!(from('127.0.0.1', { 'X-Forwarded-User': 'a'.repeat(256) }))).toMatchObject({ person: { sub: 'a'.repeat(256) } });
    expect(await made.fromRequest!(from('127.0.0.1', { 'X-Forwarded-User': 'Zoë Ångström' }))).toMatchObject({ person: { sub: 'Zoë Ångström' } });
  });

  it.each([['that is not an address', 'alice'], ['of two addresses', 'a@example.com, b@example.com'], ['with a control character', 'alice@example.com\u0007'], ['that is over-long', `${'a'.repeat(320)}@example.com`]])(
    'an email header %s is dropped, and the person still signs in',
    async (_what, value) => {
      expect(await (await provider()).fromRequest!(from('127.0.0.1', { ...ALICE, 'X-Forwarded-Email': value }))).toMatchObject({ person: { sub: 'alice', email: undefined } });
    },
  );

  it('groups are trimmed and deduplicated; empty, over-long and unprintable ones are dropped; an over-long header grants none', async () => {
    const made = await provider();
    const groupsOf = async (value: string) => (await made.fromRequest!(from('127.0.0.1', { 'X-Forwarded-User': 'alice', 'X-Forwarded-Groups': value })))!.groups;
    expect(await groupsOf(' staff ,, snek-writers,staff,')).toEqual(['staff', 'snek-writers']);
    expect(await groupsOf(`${'g'.repeat(257)},snek\u0000-admins,staff`)).toEqual(['staff']);
    const long = await made.fromRequest!(from('127.0.0.1', { 'X-Forwarded-User': 'alice', 'X-Forwarded-Groups': `snek-admins,${'x'.repeat(9000)}` }));
    expect(long).toMatchObject({ groups: [], scopes: ['read'] });
  });
});

describe('create(options): AUTH_OPTIONS_INVALID names the key', () => {
  it.each([
    ['no trustedProxies', {}, /trustedProxies: .*required/],
    ['an empty trustedProxies', { trustedProxies: [] }, /trustedProxies: needs at least one address/],
    ['a host name', { trustedProxies: ['proxy.internal'] }, /trustedProxies\.0: "proxy\.internal" is not an IP address or a CIDR range/],
    ['a prefix too long', { trustedProxies: ['127.0.0.1', '10.0.0.0/33'] }, /trustedProxies\.1: "10\.0\.0\.0\/33" has a prefix length that is not 0 to 32/],
    ['a prefix that is no number', { trustedProxies: ['::1/x'] }, /trustedProxies\.0: .*prefix length that is not 0 to 128/],
    ['two slashes', { trustedProxies: ['10.0.0.0/8/8'] }, /trustedProxies\.0: .*not an IP address/],
    ['a range that holds every address', { trustedProxies: ['0.0.0.0/0'] }, /trustedProxies\.0: .*trusts every address/],
    ['every IPv6 address', { trustedProxies: ['::/0'] }, /trustedProxies\.0: .*trusts every address/],
    ['an IPv4-mapped range', { trustedProxies: ['::ffff:10.0.0.0/104'] }, /trustedProxies\.0: .*write it as the IPv4 range/],
    ['a string for the list', { trustedProxies: '127.0.0.1' }, /trustedProxies: /],
    ['a header name with a space', { trustedProxies: ['127.0.0.1'], userHeader: 'X Forwarded User' }, /userHeader: is not an HTTP header name/],
    ['a header name with a colon', { trustedProxies: ['127.0.0.1'], groupsHeader: 'X-Groups:' }, /groupsHeader: is not an HTTP header name/],
    ['an unknown scope', { trustedProxies: ['127.0.0.1'], scopes: { staff: ['delete'] } }, /scopes\.staff\.0: /],
    ['an unknown key', { trustedProxies: ['127.0.0.1'], trustedProxy: ['127.0.0.1'] }, /trustedProxy: unknown key/],
    ['an empty displayName', { trustedProxies: ['127.0.0.1'], displayName: ' ' }, /displayName: /],
  ])('%s', async (_what, options, message) => {
    expect((await optionsError(options)).message).toMatch(message);
  });

  it('no options at all is the missing trustedProxies', async () => {
    expect((await optionsError(undefined as never)).message).toMatch(/trustedProxies: /);
  });
});
