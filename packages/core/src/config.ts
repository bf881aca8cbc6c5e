import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cosmiconfig, defaultLoaders } from 'cosmiconfig';
import { z } from 'zod';
import { SnekError } from './errors.js';
import { DEFAULT_CACHE_MAX_STALE_MS, DEFAULT_HOST, DEFAULT_PACKS, DEFAULT_PORT, DEFAULT_STORE, DEFAULT_STORE_TIMEOUT, DEFAULT_URL, portSchema, snekrcSchema, type SnekrcFile } from './config-schema.js';
import { DEFAULT_HISTORY_KEEP } from './contract.js';
import { lineOfKey } from './config-lines.js';

export interface StoreConfig {
  use: string;
  options?: unknown;
}

/** The config after defaults, the file and the environment are merged, in that order. */
export interface SnekConfig {
  server: {
    host: string;
    port: number;
    store: StoreConfig;
    /** `server.packs`: the packs seeded at start, in order. */
    packs: string[];
    /** Seconds the store may take to open. */
    storeTimeout: number;
    auth: NonNullable<NonNullable<SnekrcFile['server']>['auth']>;
    cors?: string[];
    /** `server.web`: the gallery and plain-text sneks; on unless false. */
    web?: boolean;
    /** `server.publicUrl`, without a trailing slash: the URL people reach the server at. */
    publicUrl?: string;
    /** `server.trustProxy`: believe one proxy's X-Forwarded-Proto and X-Forwarded-For; off unless true. */
    trustProxy?: boolean;
    /** `server.limits`: requests a minute per person or token and per address; no limits when absent. */
    limits?: RateLimitSettings;
    /** `server.maxConnections`; DEFAULT_MAX_CONNECTIONS when absent. */
    maxConnections?: number;
    /** `server.requestTimeout`, in seconds; DEFAULT_REQUEST_TIMEOUT when absent. */
    requestTimeout?: number;
    /** `server.history.keep`: revisions kept per snek; DEFAULT_HISTORY_KEEP when absent. */
    historyKeep: number;
    /** `server.cache.maxStaleMs`; DEFAULT_CACHE_MAX_STALE_MS when absent. 0: no read cache. */
    cacheMaxStaleMs: number;
    /** `server.metrics`, when on: GET /metrics, open to the admin scope and to clients at `allow`. */
    metrics?: { allow: string[] };
  };
  client: { url: string; token?: string };
}

/** `server.limits` of a `.snekrc`. */
export type RateLimitSettings = NonNullable<NonNullable<SnekrcFile['server']>['limits']>;

/** Where a setting came from: "default", "file", or "env NAME". */
export type ConfigSource = 'default' | 'file' | `env ${string}`;

export interface LoadedConfig {
  config: SnekConfig;
  /** The config file in use, or null when none was found. */
  filepath: string | null;
  /** The folder that relative paths in the config resolve from. */
  configDir: string;
  sources: Record<'server.host' | 'server.port' | 'server.store' | 'client.url' | 'client.token', ConfigSource | null>;
}

export interface LoadConfigOptions {
  /** An explicit file (`--config`); wins over SNEK_CONFIG and the search. */
  configPath?: string | undefined;
  /** Where the search starts; default process.cwd(). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Finds and validates `.snekrc`: `--config`, else SNEK_CONFIG, else the first config in the working
 * folder or its parents, else the user's ~/.config/snek. Environment variables override the file.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  // Search every parent up to the root, then the user's config folder: what users expect of an rc file.
  // A file named like `postgres.snekrc` (given with --config or migrate's --to-config) reads as a .snekrc does.
  const explorer = cosmiconfig('snek', { searchStrategy: 'global', stopDir: path.parse(cwd).root, cache: false, ignoreEmptySearchPlaces: false, loaders: { '.snekrc': defaultLoaders['noExt'] } });
  const explicit = options.configPath ?? env['SNEK_CONFIG'];
  const found = await readConfigFile(explorer, explicit ? path.resolve(cwd, explicit) : undefined, cwd);
  const filepath = found?.filepath ?? null;
  const file = await validateFile(found?.config, filepath);
  return mergeConfig(file, env, filepath, filepath ? path.dirname(filepath) : cwd);
}

type Explorer = ReturnType<typeof cosmiconfig>;

async function readConfigFile(explorer: Explorer, explicit: string | undefined, cwd: string) {
  const where = explicit ?? cwd;
  try {
    return explicit ? await explorer.load(explicit) : await explorer.search(cwd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (explicit && (code === 'ENOENT' || code === 'EISDIR')) {
      throw new SnekError('CONFIG_NOT_FOUND', `Config file ${explicit} does not exist. Check the path given by --config or SNEK_CONFIG.`, { cause: error });
    }
    const file = (error as { filepath?: string }).filepath ?? where;
    throw new SnekError('CONFIG_INVALID', `Cannot parse ${file}: ${await describeParseError(error, file)}. Fix the syntax (YAML or JSON) and try again.`, { cause: error, details: { file } });
  }
}

/** "line 3, column 8: bad indentation" from js-yaml's mark or a JSON parser's character position. */
async function describeParseError(error: unknown, file: string): Promise<string> {
  const { mark, reason, message = String(error) } = error as { mark?: { line: number; column: number }; reason?: string; message?: string };
  if (mark && reason) return `line ${mark.line + 1}, column ${mark.column + 1}: ${reason}`;
  const jsonReason = message.split('\n').find((line) => /JSON|Unexpected/.test(line) && !line.includes(' Error in '))?.replace(/ while parsing .*$/, '').trim();
  const position = /at position (\d+)/.exec(message);
  if (jsonReason && position) {
    const before = (await readFile(file, 'utf8').catch(() => '')).slice(0, Number(position[1]));
    const lines = before.split('\n');
    return `line ${lines.length}, column ${lines.at(-1)!.length + 1}: ${jsonReason.replace(/ in JSON at position \d+/, '')}`;
  }
  return (jsonReason ?? message.split('\n').find((line) => line.trim()) ?? 'unreadable').trim();
}

async function validateFile(raw: unknown, filepath: string | null): Promise<SnekrcFile> {
  const result = snekrcSchema.safeParse(raw ?? {});
  if (!result.success) {
    const problems = await Promise.all(issueKeys(result.error).map(async ({ path: keyPath, message }) => {
      const line = filepath ? await lineOfKey(filepath, keyPath) : undefined;
      return `${line === undefined ? '' : `line ${line}: `}${keyPath.length ? `${keyPath.map(String).join('.')}: ` : ''}${message}`;
    }));
    throw new SnekError('CONFIG_INVALID', `Invalid config in ${filepath}: ${problems.join('; ')}. Fix the key and try again.`, {
      details: { file: filepath, issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  return result.data;
}

/** One entry per offending key: an unknown key is reported at itself, not at the object that holds it. */
function issueKeys(error: z.ZodError): { path: PropertyKey[]; message: string }[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((key) => ({ path: [...issue.path, key], message: 'unknown key' })) : [{ path: [...issue.path], message: issue.message }],
  );
}

function mergeConfig(file: SnekrcFile, env: NodeJS.ProcessEnv, filepath: string | null, configDir: string): LoadedConfig {
  const pick = <T>(envName: string, parse: (raw: string) => T, fromFile: T | undefined, fallback: T | undefined) => {
    const raw = env[envName];
    if (raw !== undefined && raw !== '') return { value: parse(raw), source: `env ${envName}` as ConfigSource };
    if (fromFile !== undefined) return { value: fromFile, source: 'file' as ConfigSource };
    return { value: fallback, source: fallback === undefined ? null : ('default' as ConfigSource) };
  };
  const fileStore = file.server?.store;
  const host = pick('SNEK_HOST', (v) => v, file.server?.host, DEFAULT_HOST);
  const port = pick('SNEK_PORT', parseEnvPort, file.server?.port, DEFAULT_PORT);
  const storeTimeout = pick('SNEK_STORE_TIMEOUT', parseEnvSeconds, file.server?.storeTimeout, DEFAULT_STORE_TIMEOUT);
  const store = pick<StoreConfig>('SNEK_STORE', (use) => ({ use }), typeof fileStore === 'string' ? { use: fileStore } : fileStore, { use: DEFAULT_STORE });
  const url = pick('SNEK_URL', (v) => parseEnvUrl(v), file.client?.url, DEFAULT_URL);
  const token = pick<string>('SNEK_TOKEN', (v) => v, file.client?.token, undefined);
  const client: SnekConfig['client'] = { url: url.value! };
  if (token.value !== undefined) client.token = token.value;
  return {
    config: {
      server: { host: host.value!, port: port.value!, store: store.value!, packs: [...(file.server?.packs ?? DEFAULT_PACKS)], storeTimeout: storeTimeout.value!, auth: file.server?.auth ?? {}, ...(file.server?.cors ? { cors: file.server.cors } : {}), ...(file.server?.web !== undefined ? { web: file.server.web } : {}), ...(file.server?.publicUrl !== undefined ? { publicUrl: file.server.publicUrl.replace(/\/+$/, '') } : {}), ...(file.server?.trustProxy !== undefined ? { trustProxy: file.server.trustProxy } : {}), ...(file.server?.limits !== undefined ? { limits: file.server.limits } : {}), ...(file.server?.maxConnections !== undefined ? { maxConnections: file.server.maxConnections } : {}), ...(file.server?.requestTimeout !== undefined ? { requestTimeout: file.server.requestTimeout } : {}), historyKeep: file.server?.history?.keep ?? DEFAULT_HISTORY_KEEP, cacheMaxStaleMs: file.server?.cache?.maxStaleMs ?? DEFAULT_CACHE_MAX_STALE_MS, ...metricsConfig(file.server?.metrics) },
      client,
    },
    filepath,
    configDir,
    sources: { 'server.host': host.source, 'server.port': port.source, 'server.store': store.source, 'client.url': url.source, 'client.token': token.source },
  };
}

function metricsConfig(metrics: NonNullable<SnekrcFile['server']>['metrics']): Pick<SnekConfig['server'], 'metrics'> {
  if (metrics === undefined || metrics === false) return {};
  if (metrics === true) return { metrics: { allow: [] } };
  return metrics.enabled === false ? {} : { metrics: { allow: [...(metrics.allow ?? [])] } };
}

function parseEnvPort(raw: string): number {
  const port = portSchema.safeParse(/^\d+$/.test(raw) ? Number(raw) : NaN);
  if (!port.success) throw new SnekError('CONFIG_INVALID', `SNEK_PORT="${raw}" is not a port. Set it to a whole number from 0 to 65535, or unset it.`);
  return port.data;
}

function parseEnvSeconds(raw: string): number {
  const seconds = Number(raw);
  if (!(seconds > 0 && seconds <= 600)) throw new SnekError('CONFIG_INVALID', `SNEK_STORE_TIMEOUT="${raw}" is not a number of seconds from 0 to 600. Fix it, or unset it.`);
  return seconds;
}

function parseEnvUrl(raw: string): string {
  if (!z.url({ protocol: /^https?$/ }).safeParse(raw).success) {
    throw new SnekError('CONFIG_INVALID', `SNEK_URL="${raw}" is not an http(s) URL. Set it like http://localhost:8000, or unset it.`);
  }
  return raw;
}
