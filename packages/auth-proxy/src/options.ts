import { z } from 'zod';
import { SnekError, formatIssues, groupScopesSchema, type GroupScopes } from '@snek/core';
import { trustedProxyProblem } from './trusted-proxies.js';

export const DEFAULT_DISPLAY_NAME = "your company's sign-in";

// RFC 9110 5.1: a field name is a token.
const headerName = (fallback: string) =>
  z
    .string()
    .regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'is not an HTTP header name, such as X-Forwarded-User')
    .default(fallback);

const trustedProxy = z.string().superRefine((entry, context) => {
  const problem = trustedProxyProblem(entry.trim());
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

export const proxyOptionsSchema = z.strictObject({
  trustedProxies: z.array(trustedProxy, 'is required: the addresses of the proxies whose headers to believe, such as [127.0.0.1]').min(1, 'needs at least one address: the proxy in front of Snek'),
  userHeader: headerName('X-Forwarded-User'),
  emailHeader: headerName('X-Forwarded-Email'),
  groupsHeader: headerName('X-Forwarded-Groups'),
  scopes: groupScopesSchema.default({}),
  displayName: z.string().trim().min(1).max(100).default(DEFAULT_DISPLAY_NAME),
});

export interface ProxyOptions {
  trustedProxies: string[];
  userHeader: string;
  emailHeader: string;
  groupsHeader: string;
  scopes: GroupScopes;
  displayName: string;
}

/** The options, checked; AUTH_OPTIONS_INVALID names each bad key and the entry it is in. */
export function parseProxyOptions(options: unknown, origin: string): ProxyOptions {
  const result = proxyOptionsSchema.safeParse(options ?? {});
  if (!result.success) {
    throw new SnekError('AUTH_OPTIONS_INVALID', `Invalid options for the proxy sign-in provider (${origin}): ${formatIssues(result.error)}. See the README of @snek/auth-proxy.`, {
      details: { provider: 'proxy', issues: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) },
    });
  }
  return { ...result.data, trustedProxies: result.data.trustedProxies.map((entry) => entry.trim()) };
}
