import { SUPPORTED_AUTH_API_VERSIONS, type AuthPlugin } from '../auth.js';
import { SnekError } from '../errors.js';
import type { PluginKind } from '../plugin-kind.js';

/** Sign-in providers: `server.auth.signIn[].use`, `@snek/auth-x` or `snek-auth-x`, a default export of defineAuthProvider(). */
export const AUTH_KIND: PluginKind<AuthPlugin> = {
  prefix: 'auth',
  noun: 'sign-in provider',
  codes: {
    notFound: 'AUTH_NOT_FOUND',
    dependencyMissing: 'AUTH_DEPENDENCY_MISSING',
    loadFailed: 'AUTH_LOAD_FAILED',
    invalidExport: 'AUTH_INVALID_EXPORT',
    apiVersion: 'AUTH_API_VERSION',
  },
  apiVersions: SUPPORTED_AUTH_API_VERSIONS,
  expectedExport: 'defineAuthProvider({ apiVersion: 1, name, create })',
  hasShape: (value) => typeof value['create'] === 'function' && typeof value['name'] === 'string',
  accept(value, named) {
    if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(value['name'] as string)) {
      throw new SnekError('AUTH_INVALID_EXPORT', `${named}: its name ${JSON.stringify(value['name'])} is not 1–32 lower-case letters, digits and dashes, so it cannot be in /signin/<name>. Fix the provider's name, or give the entry a name in .snekrc.`, { details: { field: 'name' } });
    }
    return value as unknown as AuthPlugin;
  },
  name: ({ use, origin }) => `Sign-in provider "${use}" (${origin})`,
};
