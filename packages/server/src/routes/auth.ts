import { SnekError, type Scope } from '@snek/core';
import { identify, type AccessPolicy } from '../access.js';
import { sendJson } from '../json-response.js';
import type { AreaRoutes } from './area-router.js';

/** The two routes any client may call, token or not: how to sign in, and who the server thinks you are. */
export const OPEN_API_PATHS: ReadonlySet<string> = new Set(['/v1/auth', '/v1/whoami']);

/** /v1/auth and /v1/whoami. */
export function authRoutes(router: AreaRoutes, access: AccessPolicy): void {
  // Fixed for the server's life: what `snek login` needs to find the identity provider, and no secret.
  const methods = {
    read: access.read,
    tokens: access.tokens.length > 0,
    signIn: access.providers.map((entry) => ({ name: entry.name, displayName: entry.displayName, browser: `/signin/${entry.name}`, ...entry.provider.describe?.() })),
  };
  router.get('/v1/auth', (_req, res) => {
    sendJson(res, methods);
  });

  const anyone: Scope[] = access.read === 'public' ? ['read'] : [];
  router.get('/v1/whoami', async (req, res) => {
    const found = await identify(req, res, access, 'read');
    res.vary('Authorization').vary('Cookie').setHeader('Cache-Control', 'private, no-store');
    if (SnekError.is(found)) {
      if (found.code === 'UNAUTHORIZED') res.setHeader('WWW-Authenticate', 'Bearer realm="snek", error="invalid_token"');
      throw found;
    }
    if (!found) return sendJson(res, { actor: null, scopes: anyone });
    res.locals.actor = found.actor;
    const scopes = new Set([...anyone, ...found.scopes]);
    sendJson(res, { actor: found.actor, scopes: [...scopes] });
  });
}
