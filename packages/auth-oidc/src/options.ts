import { z } from 'zod';
import { formatIssues, groupScopesSchema, SnekError, type GroupScopes } from '@snek/core';

/** The JWS algorithms a bearer JWT may use when `options.algorithms` is not set: every asymmetric one jose knows. */
export const DEFAULT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;
export const DEFAULT_CLOCK_SKEW_SECONDS = 30;
export const DEFAULT_REQUEST_SCOPES = ['openid', 'profile', 'email'] as const;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Plain http only for an IdP on this machine (a test or a local Keycloak): anywhere else it would leak the code. */
export function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

const issuerSchema = z
  .url({ protocol: /^https?$/, error: 'must be the issuer URL, such as https://login.example.com/realms/staff' })
  .refine((value) => {
    const url = URL.canParse(value) ? new URL(value) : undefined;
    return !url || url.protocol === 'https:' || isLoopback(url);
  }, 'must be https (plain http only for an issuer on 127.0.0.1 or localhost)')
  .refine((value) => {
    const url = URL.canParse(value) ? new URL(value) : undefined;
    return !url || (!url.search && !url.hash);
  }, 'must have no query or fragment');

const algorithmSchema = z.string().superRefine((alg, ctx) => {
  if (alg.toLowerCase() === 'none') ctx.addIssue({ code: 'custom', message: '"none" means unsigned and is never accepted' });
  else if (/^HS/i.test(alg)) ctx.addIssue({ code: 'custom', message: `${alg} is symmetric (the secret would be shared with every client); use an asymmetric one such as RS256 or ES256` });
  else if (!(DEFAULT_ALGORITHMS as readonly string[]).includes(alg)) ctx.addIssue({ code: 'custom', message: `${alg} is not one of ${DEFAULT_ALGORITHMS.join(', ')}` });
});

export const oidcOptionsSchema = z.strictObject({
  issuer: issuerSchema.describe('The OpenID Provider\'s issuer; discovery reads <issuer>/.well-known/openid-configuration.'),
  clientId: z.string().min(1).describe("The server's (confidential) client at the identity provider."),
  clientSecretEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable that holds the client secret (the secret itself never goes in .snekrc)')
    .describe('Name of the environment variable that holds the client secret.'),
  deviceClientId: z.string().min(1).optional().describe('The public client that `snek login` uses (device flow); GET /v1/auth tells the CLI.'),
  audience: z.string().min(1).optional().describe('Bearer JWTs are accepted only when this is set, and only with this `aud`.'),
  resource: z.string().min(1).optional().describe('The resource indicator (RFC 8707) the CLI asks tokens for, such as urn:snek:api.'),
  groupsClaim: z.string().min(1).default('groups').describe('The claim that lists the person\'s groups; default groups.'),
  scopes: groupScopesSchema.describe('A group to the Snek scopes it grants; "*" is anyone signed in.'),
  displayName: z.string().min(1).max(64).optional().describe('The button says "Sign in with <displayName>".'),
  algorithms: z.array(algorithmSchema).min(1).optional().describe(`The JWS algorithms a bearer JWT may use; default ${DEFAULT_ALGORITHMS.join(', ')}.`),
  clockSkewSeconds: z.number().int().min(0).max(300).default(DEFAULT_CLOCK_SKEW_SECONDS).describe('Leeway on exp and nbf.'),
  requestScopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be an OAuth scope (no spaces or quotes)'))
    .optional()
    .describe(`The OAuth scopes the sign-in asks for; default ${DEFAULT_REQUEST_SCOPES.join(' ')} ("openid" is always added). Okta needs "groups" here.`),
});

export type OidcOptionsInput = z.input<typeof oidcOptionsSchema>;

export interface OidcOptions {
  issuer: string;
  clientId: string;
  clientSecretEnv: string;
  deviceClientId: string | undefined;
  audience: string | undefined;
  resource: string | undefined;
  groupsClaim: string;
  scopes: GroupScopes;
  displayName: string | undefined;
  algorithms: string[];
  clockSkewSeconds: number;
  requestScopes: string[];
}

/** Checked options, or AUTH_OPTIONS_INVALID naming the key and what to write instead. */
export function parseOidcOptions(options: unknown, origin: string): OidcOptions {
  const result = oidcOptionsSchema.safeParse(options ?? {});
  if (!result.success) {
    throw new SnekError('AUTH_OPTIONS_INVALID', `Invalid options for the oidc sign-in provider (${origin}): ${formatIssues(result.error)}. See docs/sign-in.md for its options.`, {
      details: { provider: 'oidc', issues: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) },
    });
  }
  const parsed = result.data;
  return {
    issuer: parsed.issuer,
    clientId: parsed.clientId,
    clientSecretEnv: parsed.clientSecretEnv,
    deviceClientId: parsed.deviceClientId,
    audience: parsed.audience,
    resource: parsed.resource,
    groupsClaim: parsed.groupsClaim,
    scopes: parsed.scopes,
    displayName: parsed.displayName,
    algorithms: [...(parsed.algorithms ?? DEFAULT_ALGORITHMS)],
    clockSkewSeconds: parsed.clockSkewSeconds,
    requestScopes: ['openid', ...(parsed.requestScopes ?? DEFAULT_REQUEST_SCOPES).filter((scope) => scope !== 'openid')],
  };
}
