import { BROKEN_HTTP, json, problem, ref, response } from './shared.js';

const signInSchema = {
  type: 'object',
  required: ['name', 'displayName', 'browser'],
  additionalProperties: { type: 'string' },
  properties: {
    name: { type: 'string', description: 'Its name in `/signin/<name>`.' },
    displayName: { type: 'string' },
    browser: { type: 'string', description: 'Where a browser signs in with it.' },
    issuer: { type: 'string', description: 'OpenID Connect: the identity provider.' },
    audience: { type: 'string', description: 'OpenID Connect: the `aud` a bearer JWT must carry.' },
    deviceClientId: { type: 'string', description: 'OpenID Connect: the public client `snek login` uses (device flow).' },
    resource: { type: 'string', description: 'OpenID Connect: the resource indicator to ask tokens for.' },
  },
};

/** How to sign in, and who you are: both open to anyone. */
export function authPaths() {
  return {
    '/v1/auth': {
      get: {
        operationId: 'getAuthMethods',
        tags: ['service'],
        summary: 'How to sign in here: read access, whether tokens work, and each sign-in provider (what `snek login` reads)',
        description: 'Needs no token, even on a private server. Never holds a secret.',
        security: [{}],
        responses: {
          '200': {
            description: 'The sign-in methods',
            content: json({ type: 'object', required: ['read', 'tokens', 'signIn'], properties: { read: { enum: ['public', 'token'] }, tokens: { type: 'boolean', description: 'Whether configured tokens are accepted.' }, signIn: { type: 'array', items: signInSchema } } }),
          },
          '400': problem(`${BROKEN_HTTP}.`),
          '429': response('RateLimited'),
          '431': response('HeadersTooLarge'),
          '500': response('Internal'),
        },
      },
    },
    '/v1/whoami': {
      get: {
        operationId: 'whoAmI',
        tags: ['service'],
        summary: 'Who the server thinks you are, and your scopes (what `snek whoami` prints)',
        description: 'Needs no token: without one, `actor` is null and `scopes` are what anyone has. A token that is not valid is a 401.',
        security: [{}, { bearer: [] }],
        responses: {
          '200': { description: 'You', content: json({ type: 'object', required: ['actor', 'scopes'], properties: { actor: { oneOf: [ref('Actor'), { type: 'null' }] }, scopes: { type: 'array', items: { enum: ['read', 'write', 'admin'] } } } }) },
          '400': problem(`${BROKEN_HTTP}.`),
          '401': response('Unauthorized'),
          '429': response('RateLimited'),
          '431': response('HeadersTooLarge'),
          '500': response('Internal'),
          '503': problem('The sign-in provider that issued the token cannot be reached to check it.'),
        },
      },
    },
  };
}
