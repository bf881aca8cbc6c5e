import pg from 'pg';
import { z } from 'zod';
import { SnekError, parseStoreOptions } from '@snek/core';

export const DEFAULT_SCHEMA = 'snek';
export const DEFAULT_POOL_MAX = 10;
export const DEFAULT_CONNECT_TIMEOUT = 5;
export const DEFAULT_STATEMENT_TIMEOUT = 5;

const seconds = z.number().positive().max(600);
const optionsSchema = z
  .strictObject({
    url: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional(),
    urlEnv: z.string().min(1).optional(),
    listenUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional(),
    listenUrlEnv: z.string().min(1).optional(),
    schema: z
      .string()
      .min(1)
      .refine((name) => Buffer.byteLength(name) <= 63 && !name.includes('\0'), 'must be at most 63 bytes, without NUL')
      .optional(),
    pool: z.strictObject({ max: z.number().int().min(1).max(1000).optional() }).optional(),
    connectTimeout: seconds.optional(),
    statementTimeout: seconds.optional(),
  })
  .refine((options) => !(options.url !== undefined && options.urlEnv !== undefined), { message: 'give url or urlEnv, not both', path: ['urlEnv'] })
  .refine((options) => !(options.listenUrl !== undefined && options.listenUrlEnv !== undefined), { message: 'give listenUrl or listenUrlEnv, not both', path: ['listenUrlEnv'] });

/** `server.store.options` of the postgres store; see the README for each. */
export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database; without it (and urlEnv), the PG* variables and pg's defaults apply. */
  url?: string;
  /** The name of an environment variable that holds the url, so the password stays out of .snekrc. */
  urlEnv?: string;
  /**
   * Where the change feed's one connection LISTENs, when `url` goes through a pooler that cannot LISTEN (PgBouncer in
   * transaction mode): a direct connection to the same database. Default: `url`.
   */
  listenUrl?: string;
  /** The name of an environment variable that holds `listenUrl`. */
  listenUrlEnv?: string;
  /** The PostgreSQL schema that holds the store's tables; default "snek". */
  schema?: string;
  pool?: { max?: number };
  /** Seconds to wait for a connection (a new one, or a free one from the pool); default 5. */
  connectTimeout?: number;
  /** Seconds one statement may run before it is cancelled; default 5. */
  statementTimeout?: number;
}

/** Where the store connects, for messages: everything but the password. */
export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  schema: string;
}

export interface PostgresSettings {
  target: PostgresTarget;
  /** The connection settings pg gets; holds the password, so it is never shown. */
  connection: pg.ClientConfig;
  /** The change feed's: `connection`, or listenUrl's. */
  listenConnection: pg.ClientConfig;
  poolMax: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** Strings to cut out of any message that could reach a log. */
  secrets: string[];
}

/** Validates the options and works out what pg will connect to, reading `urlEnv` and the PG* variables from `env`. */
export function postgresSettings(options: unknown, env: NodeJS.ProcessEnv = process.env): PostgresSettings {
  const parsed = parseStoreOptions('postgres', optionsSchema, options);
  const url = parsed.urlEnv === undefined ? parsed.url : fromEnv(env, parsed.urlEnv, 'urlEnv', 'its url');
  const connection: pg.ClientConfig = url === undefined ? {} : { connectionString: url };
  // A Client only parses its settings (url, then PG* variables, then defaults) until connect() is called.
  const probe = parseConnection(connection, parsed.urlEnv === undefined ? 'url' : 'urlEnv', parsed.urlEnv);
  const listenUrl = parsed.listenUrlEnv === undefined ? parsed.listenUrl : fromEnv(env, parsed.listenUrlEnv, 'listenUrlEnv', "its change feed's url");
  const listenConnection: pg.ClientConfig = listenUrl === undefined ? connection : { connectionString: listenUrl };
  const listenProbe = listenUrl === undefined ? probe : parseConnection(listenConnection, parsed.listenUrlEnv === undefined ? 'listenUrl' : 'listenUrlEnv', parsed.listenUrlEnv);
  const secrets = [urlPassword(url), urlPassword(listenUrl), ...[probe, listenProbe].map((client) => (typeof client.password === 'string' ? client.password : undefined)), env['PGPASSWORD']].filter((s): s is string => Boolean(s));
  return {
    target: { host: probe.host, port: probe.port, database: probe.database ?? probe.user ?? '', user: probe.user ?? '', schema: parsed.schema ?? DEFAULT_SCHEMA },
    connection,
    listenConnection,
    poolMax: parsed.pool?.max ?? DEFAULT_POOL_MAX,
    connectTimeoutMs: (parsed.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT) * 1000,
    statementTimeoutMs: (parsed.statementTimeout ?? DEFAULT_STATEMENT_TIMEOUT) * 1000,
    secrets: [...new Set(secrets.flatMap((secret) => [secret, encodeURIComponent(secret)]))],
  };
}

/** The url in the environment variable `name`, which the option `option` names. */
function fromEnv(env: NodeJS.ProcessEnv, name: string, option: string, what: string): string {
  const url = env[name];
  if (!url) {
    throw new SnekError('STORE_OPTIONS_INVALID', `The postgres store reads ${what} from the environment variable ${name} (server.store.options.${option}), which is not set. Set it to postgres://user:password@host:port/database.`, {
      details: { store: 'postgres', issues: [{ path: option, message: `${name} is not set` }] },
    });
  }
  return url;
}

/** `option` is the option the url came from; `variable`, the environment variable it names, if it is an *Env option. */
function parseConnection(connection: pg.ClientConfig, option: string, variable: string | undefined): pg.Client {
  try {
    return new pg.Client(connection);
  } catch (error) {
    // No cause attached: a URL error carries the whole url, password included, as its `input`.
    const where = variable === undefined ? `server.store.options.${option}` : `The variable ${variable} (server.store.options.${option})`;
    throw new SnekError('STORE_OPTIONS_INVALID', `${where} is not a url PostgreSQL can use (${(error as Error).message}). Write it as postgres://user:password@host:port/database, with special characters in the password percent-encoded.`, {
      details: { store: 'postgres', issues: [{ path: option, message: 'not a valid url' }] },
    });
  }
}

function urlPassword(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    // pg parses what URL cannot; take the password between "//user:" and "@" by hand.
    return /^[^:]+:\/\/[^:@/]*:([^@]*)@/.exec(url)?.[1];
  }
}

/** `host:port, database "db"`, as errors and /readyz name the target. */
export function describeTarget(target: PostgresTarget): string {
  return `${target.host}:${target.port}, database "${target.database}"`;
}

/** The text with every secret replaced by ***. */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}
