import { isIP } from 'node:net';
import { z } from 'zod';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8000;
export const DEFAULT_URL = 'http://localhost:8000';
export const DEFAULT_STORE = 'sqlite';
export const DEFAULT_STORE_TIMEOUT = 10;
/** Open connections past which new ones are answered 503: each is a file descriptor, and `ulimit -n` caps those. */
export const DEFAULT_MAX_CONNECTIONS = 1024;
/** Seconds a client has to send a whole request, headers and body. */
export const DEFAULT_REQUEST_TIMEOUT = 30;
/** A working day: a person signs in in the morning, and a stolen cookie is dead by night. */
export const DEFAULT_SESSION_HOURS = 8;
/** The longest a read from the server's cache may lag a write made through another server sharing the store. */
export const DEFAULT_CACHE_MAX_STALE_MS = 1000;
/** The packs a server seeds when `server.packs` is absent: the three built-in sneks. */
export const DEFAULT_PACKS: readonly string[] = ['classic'];

const storeObjectSchema = z.strictObject({
  use: z.string().min(1).describe('Store package: a bare name like "sqlite" (tried as @snek/store-sqlite, then snek-store-sqlite, then sqlite), a package name, or a path relative to this file.'),
  options: z.unknown().optional().describe("Passed to the store's create(); see the store's README."),
});

export const storeConfigSchema = z
  .union([z.string().min(1), storeObjectSchema])
  .describe('The store that keeps the sneks. A string is shorthand for { use: string }.');

export const portSchema = z.number().int().min(0).max(65535);

export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits: printf %s "$TOKEN" | sha256sum');
const envNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const tokenSchema = z
  .strictObject({
    name: z.string().min(1).max(64).describe('Shown in logs and errors instead of the token.'),
    sha256: sha256Schema.optional().describe('SHA-256 of the token, in hex, so this file holds no secret.'),
    env: envNameSchema.optional().describe('Name of an environment variable that holds the token.'),
    scopes: z.array(z.enum(SCOPES)).min(1).describe('What the token allows: read, write, admin (the audit log, /v1/changes).'),
  })
  .refine((token) => (token.sha256 === undefined) !== (token.env === undefined), 'give exactly one of sha256 and env');

const authSchema = z.strictObject({
  read: z.enum(['public', 'token']).optional().describe('public (default): anyone may read. token: every route but /healthz needs a token with the read scope.'),
  tokens: z.array(tokenSchema).optional(),
  tokenSha256: sha256Schema.optional().describe('SHA-256 of an admin token, which has every scope.'),
  tokenEnv: envNameSchema.optional().describe('Name of an environment variable that holds an admin token, which has every scope.'),
  sessionKeysEnv: envNameSchema
    .optional()
    .describe('Name of an environment variable that holds the keys of the gallery\'s session cookies: one or more, each at least 32 characters, separated by commas or spaces. The first seals new sessions; all open them (rotation). Replicas must share it. Unset: a random key per process, so sessions end at restart.'),
  signIn: z
    .array(
      z.strictObject({
        use: z.string().min(1).describe('The sign-in provider: a bare name like "oidc" (tried as @snek/auth-oidc, then snek-auth-oidc, then oidc), a package name, or a path relative to this file.'),
        name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1–32 lower-case letters, digits and dashes').optional().describe("Its name in URLs (/signin/<name>); default the provider's own name. Two entries of one provider need two names."),
        displayName: z.string().min(1).max(64).optional().describe('The button says "Sign in with <displayName>"; default the provider\'s own.'),
        options: z.record(z.string(), z.unknown()).optional().describe("The provider's own options; its docs list them."),
      }),
    )
    .optional()
    .describe('Sign-in providers for people: company sign-in (oidc), an authenticating proxy (proxy), or a plugin. The tokens above keep working beside them.'),
  sessionHours: z.number().positive().max(720).optional().describe(`Hours a gallery session lasts after sign-in; default ${DEFAULT_SESSION_HOURS}.`),
});

/** An IP address, or a network as address/prefix (10.0.0.0/8, fd00::/8). */
export function isAddressOrNetwork(text: string): boolean {
  const [address, prefix, ...rest] = text.split('/');
  const family = isIP(address ?? '');
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const metricsObjectSchema = z.strictObject({
  enabled: z.boolean().optional().describe('GET /metrics; default true when server.metrics is an object.'),
  allow: z
    .array(z.string().refine(isAddressOrNetwork, { message: 'not an IP address or a network such as 10.0.0.0/8' }))
    .optional()
    .describe('Client addresses (IPs or networks such as 10.0.0.0/8) that may read /metrics without a token; others need the admin scope. Behind server.trustProxy, the address the proxy reports.'),
});

const metricsSchema = z
  .union([z.boolean(), metricsObjectSchema])
  .describe('Prometheus metrics at GET /metrics, for the admin scope or the addresses in allow; default off. true is short for { enabled: true }.');

const perMinuteSchema = z.number().int().min(1).max(1_000_000);

const limitsSchema = z.strictObject({
  perMinute: z
    .strictObject({
      actor: perMinuteSchema.optional().describe('Requests a minute for each person or token the server has verified (a bearer token, a sign-in session); a request with no credential, or a wrong one, counts against its address alone.'),
      address: perMinuteSchema.optional().describe('Requests a minute from each client address, signed in or not; behind a proxy it needs server.trustProxy, or every client shares the proxy\'s address.'),
    })
    .refine((perMinute) => perMinute.actor !== undefined || perMinute.address !== undefined, 'give actor, address or both (requests a minute), or remove server.limits to have no limits')
    .describe('Limits over a minute; /healthz, /readyz and /metrics are never limited.'),
});

const serverSchema = z.strictObject({
  host: z.string().min(1).optional().describe(`Address to listen on; default ${DEFAULT_HOST}.`),
  port: portSchema.optional().describe(`Port to listen on; default ${DEFAULT_PORT}. 0 picks a free port.`),
  store: storeConfigSchema.optional(),
  packs: z
    .array(z.string().min(1))
    .optional()
    .describe('Snek packs to seed at start: bare names like "classic" (tried as @snek/pack-classic, then snek-pack-classic, then classic), package names, or paths relative to this file. Default [classic]; [] starts empty.'),
  storeTimeout: z.number().positive().max(600).optional().describe(`Seconds the store may take to load (its import) and open, and each pack to load, before the server gives up; default ${DEFAULT_STORE_TIMEOUT}.`),
  auth: authSchema.optional().describe('Who may read and write. SNEK_ADMIN_TOKEN is a token with every scope.'),
  cors: z.array(z.url({ protocol: /^https?$/ })).optional().describe('Origins that browsers may call the API from. CORS is off when this is absent.'),
  web: z.boolean().optional().describe('The snek gallery at / and the plain-text sneks at /s/ID; default true. false serves the API only.'),
  publicUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('The URL people use to reach this server, such as https://snek.example.com: sign-in callbacks are made from it. Needed by sign-in providers that redirect (oidc).'),
  trustProxy: z.boolean().optional().describe("Believe one reverse proxy in front: its X-Forwarded-Proto, so the sign-in cookie is Secure behind https, and the last address of its X-Forwarded-For as the client's (logs, server.metrics.allow, per-address rate limits); default false."),
  limits: limitsSchema.optional().describe('Requests per minute each client may make, per person or token and per address; absent: no limits. Counted by each server process on its own.'),
  maxConnections: z.number().int().min(1).max(1_000_000).optional().describe(`Open connections past which new ones are answered 503 with Retry-After; default ${DEFAULT_MAX_CONNECTIONS}. Keep it well under the file descriptor limit (ulimit -n).`),
  history: z
    .strictObject({
      keep: z.number().int().min(1).max(1_000_000).optional().describe('Revisions kept per snek, newest first; older ones are dropped at the next write of that snek. Default 100.'),
    })
    .optional()
    .describe("Each snek's history, from the store's change log (stores without one keep none)."),
  cache: z
    .strictObject({
      maxStaleMs: z.number().int().min(0).max(60_000).optional().describe(`The longest, in milliseconds, a read of one snek may lag a write made through another server on the same store; default ${DEFAULT_CACHE_MAX_STALE_MS}. 0 turns the read cache off.`),
    })
    .optional()
    .describe('The in-process cache of single sneks, kept fresh by the change log (stores without one get no cache).'),
  metrics: metricsSchema.optional(),
  requestTimeout: z.number().positive().max(300).optional().describe(`Seconds a client has to send a whole request, headers and body, before it is answered 408; default ${DEFAULT_REQUEST_TIMEOUT}. The headers alone get at most 15 s.`),
});

const clientSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).optional().describe(`Snek server the CLI talks to; default ${DEFAULT_URL}.`),
  token: z.string().min(1).optional().describe('Bearer token the CLI sends (for push and rm).'),
});

/** The shape of a `.snekrc` file. */
export const snekrcSchema = z
  .strictObject({
    $schema: z.string().optional(),
    server: serverSchema.optional(),
    client: clientSchema.optional(),
  })
  .describe('Snek configuration (.snekrc)');

export type SnekrcFile = z.infer<typeof snekrcSchema>;
