import { z } from 'zod';
import { SCOPES, type Scope } from './config-schema.js';

/** The versions of the sign-in provider contract that this release loads. */
export const SUPPORTED_AUTH_API_VERSIONS = [1] as const;

/** Who signed in, as the provider knows them. `sub` is stable and unique within the provider. */
export interface AuthPerson {
  sub: string;
  name?: string | undefined;
  email?: string | undefined;
}

/** A provider's answer for someone it recognised: who, and the scopes their groups map to. */
export interface SignedIn {
  person: AuthPerson;
  /** Empty when none of their groups maps to a scope: the server refuses them and says why (AUTH_NO_SCOPE). */
  scopes: Scope[];
  /** The groups the provider reported, for the refusal's message and the log. */
  groups: string[];
}

/** The parts of an HTTP request a provider may read; nothing here can change the answer. */
export interface AuthRequest {
  /** The peer's address on the TCP connection (never a forwarded header). */
  remoteAddress: string | undefined;
  /** A request header by name; undefined when absent or sent more than once (which no honest proxy does). */
  header(name: string): string | undefined;
}

/** What `create` is given beside the entry's `options`. */
export interface AuthContext {
  /** The entry's name (`name`, else the plugin's): it is in the provider's URLs, `/signin/<name>`. */
  name: string;
  /** `<server.publicUrl>/signin/<name>/callback`, or undefined when `server.publicUrl` is not set. */
  callbackUrl: string | undefined;
  /** The folder of the `.snekrc` the entry came from: relative paths in options are relative to it. */
  configDir: string;
  /** Where secrets come from: options name variables (`clientSecretEnv`), never hold secrets. */
  env: NodeJS.ProcessEnv;
  /** Says where the entry came from, for messages: "server.auth.signIn[0] in /srv/.snekrc". */
  origin: string;
}

/**
 * One configured sign-in provider. Each part is optional: a provider offers the ways it can sign people in.
 * Failures are SnekErrors: AUTH_SIGN_IN_FAILED (the person's attempt failed; the page says why), AUTH_UNAVAILABLE
 * (the identity provider cannot be reached; 503), AUTH_TOKEN_INVALID (a bearer token of this provider's that fails).
 */
export interface AuthProvider {
  /** The button says "Sign in with <displayName>". */
  readonly displayName: string;
  /** A sign-in that sends the browser to the identity provider and back to `callbackUrl` (OIDC's code flow). */
  readonly redirect?: {
    /**
     * Where to send the browser, and `pending`: what `finish` needs again (state, nonce, PKCE verifier). The server
     * keeps `pending` encrypted in a short-lived cookie, so it never appears in a URL.
     */
    start(): Promise<{ location: string; pending: string }>;
    /** The person from the callback's URL, checked against `pending`. */
    finish(callback: URL, pending: string): Promise<SignedIn>;
  };
  /** A sign-in from the request itself, such as an authenticating proxy's headers; undefined when it has none. */
  fromRequest?(request: AuthRequest): SignedIn | undefined | Promise<SignedIn | undefined>;
  /**
   * A bearer token: undefined when it is not this provider's (another may take it), the person when it is valid,
   * and AUTH_TOKEN_INVALID when it is this provider's and fails (expired, wrong audience, bad signature).
   */
  verifyBearer?(token: string): Promise<SignedIn | undefined>;
  /** What `GET /v1/auth` tells anyone about it, e.g. issuer, deviceClientId, audience. Never a secret. */
  describe?(): Record<string, string>;
  /** Releases timers and sockets; called when the server closes. */
  close?(): Promise<void>;
}

/** A sign-in provider package's default export. */
export interface AuthPlugin<Options = unknown> {
  apiVersion: (typeof SUPPORTED_AUTH_API_VERSIONS)[number];
  /** The default entry name: `/signin/<name>`. */
  name: string;
  /** Checks `options` (AUTH_OPTIONS_INVALID, naming the key) and makes the provider. It must not wait on the network: an identity provider that is down must not stop Snek from starting. */
  create(options: Options, context: AuthContext): AuthProvider | Promise<AuthProvider>;
}

/** Typed identity for a sign-in provider's default export. */
export function defineAuthProvider<Options>(plugin: AuthPlugin<Options>): AuthPlugin<Options> {
  return plugin;
}

/** `options.scopes` of a provider: a group to the scopes it grants; `"*"` is anyone the provider signed in. */
export const groupScopesSchema = z.record(z.string().min(1), z.array(z.enum(SCOPES)));
export type GroupScopes = z.infer<typeof groupScopesSchema>;

/** The union of the scopes that `groups` (and `"*"`) grant under `mapping`, in SCOPES order. */
export function scopesForGroups(groups: readonly string[], mapping: GroupScopes): Scope[] {
  const granted = new Set<Scope>(mapping['*'] ?? []);
  for (const group of groups) if (Object.hasOwn(mapping, group) && group !== '*') for (const scope of mapping[group]!) granted.add(scope);
  return SCOPES.filter((scope) => granted.has(scope));
}
