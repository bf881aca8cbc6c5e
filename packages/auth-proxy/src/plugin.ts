import { defineAuthProvider, scopesForGroups, type AuthRequest, type SignedIn } from '@snek/core';
import { forwardedEmail, forwardedGroups, forwardedUser } from './forwarded-headers.js';
import { parseProxyOptions, type ProxyOptions } from './options.js';
import { trustedProxies } from './trusted-proxies.js';

/**
 * `use: proxy`: the person an authenticating reverse proxy (oauth2-proxy and the like) names in its headers. The
 * headers are believed only on connections from `trustedProxies`; from any other peer they are ignored, since any
 * client can send them.
 */
export default defineAuthProvider<Partial<ProxyOptions>>({
  apiVersion: 1,
  name: 'proxy',
  create(options, context) {
    const parsed = parseProxyOptions(options, context.origin);
    const trusted = trustedProxies(parsed.trustedProxies);
    const [user, email, groups] = [parsed.userHeader, parsed.emailHeader, parsed.groupsHeader].map((name) => name.toLowerCase()) as [string, string, string];
    return {
      displayName: parsed.displayName,
      fromRequest(request: AuthRequest): SignedIn | undefined {
        if (!trusted.trusts(request.remoteAddress)) return undefined;
        const sub = forwardedUser(request.header(user));
        if (sub === undefined) return undefined;
        const memberOf = forwardedGroups(request.header(groups));
        return { person: { sub, email: forwardedEmail(request.header(email)) }, scopes: scopesForGroups(memberOf, parsed.scopes), groups: memberOf };
      },
    };
  },
});
