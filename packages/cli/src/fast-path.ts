import { request as httpRequest } from 'node:http';
import { formatSneks } from './art-output.js';
import { isFresh, savedLogin } from './credentials.js';
import { readFastConfig } from './fast-config.js';
import { DEFAULT_URL } from './client-url.js';
import { networkErrorMessage } from './network-errors.js';
import { isSnekPage } from './snek-answers.js';
import { SnekCache, cacheDir, cacheEnabled, offlineNotice, type CacheLookup } from './snek-cache.js';

const VALUE_FLAGS = new Set(['type', 'url', 'token', 'config', 'timeout']);
const COMMANDS = new Set(['list', 'search', 'types', 'push', 'rm', 'log', 'restore', 'config', 'login', 'whoami', 'logout', 'cache', 'completion', 'watch']);

/**
 * `snek [NAME] [--type TYPE]` without yargs, axios, cosmiconfig or zod, which cost more to load than
 * the whole request. Anything it is not sure of (another command, a flag it does not know, no match,
 * an HTTP error, a config it cannot read simply) returns false, and the full CLI handles it.
 * A name lookup goes through the cache, as in the full CLI: revalidated with If-None-Match, and printed
 * from the cache when the server cannot be reached.
 */
export async function tryFastPath(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const args = parseArgs(argv);
  if (!args || env['SNEK_CLI_FULL']) return false;
  const timeoutMs = Number(args.flags['timeout'] ?? 10) * 1000;
  if (!(timeoutMs > 0)) return false;
  const config = await readFastConfig(args.flags['config'] ?? env['SNEK_CONFIG'], process.cwd());
  if (!config) return false;
  const named = args.flags['url'] ?? (env['SNEK_URL'] || undefined) ?? config.url;
  // Without a URL, SNEK_HOST and SNEK_PORT choose the server: the full path reads and checks them.
  if (named === undefined && (env['SNEK_HOST'] || env['SNEK_PORT'])) return false;
  const url = named ?? DEFAULT_URL;
  const given = args.flags['token'] ?? (env['SNEK_TOKEN'] || undefined) ?? config.token;
  // Last comes the saved `snek login`, as in the full CLI; one that needs renewing is the full path's to renew.
  const login = given === undefined ? savedLogin(env, url) : undefined;
  if (login && !isFresh(login)) return false;
  const token = given ?? login?.accessToken;
  if (!/^https?:\/\/[^/]/.test(url)) return false;
  const type = args.flags['type'];
  const name = args.name ?? (type === undefined ? 'normal' : undefined);
  const query = new URLSearchParams({ ...(name === undefined ? {} : { name }), ...(type === undefined ? {} : { type }), limit: '500' });
  const lookup: CacheLookup | undefined = name === undefined ? undefined : { name, type };
  const cache = lookup && cacheEnabled(args.noCache, env) ? new SnekCache(cacheDir(env), url) : undefined;
  const cached = lookup && cache?.read(lookup);
  const answer = await get(`${url.replace(/\/+$/, '')}/v1/sneks?${query}`, token, timeoutMs, cached?.etag);
  if ('error' in answer) {
    if (cached) {
      process.stderr.write(offlineNotice(url, cached));
      process.stdout.write(formatSneks(cached.sneks));
      return true;
    }
    const message = networkErrorMessage(answer.error, url, timeoutMs);
    if (!message) return false;
    process.stderr.write(`snek: ${message}\n`);
    process.exitCode = 4;
    return true;
  }
  if (answer.status === 304 && cached) {
    cache!.confirm(lookup!);
    process.stdout.write(formatSneks(cached.sneks));
    return true;
  }
  // Anything but a page of sneks (no match, an error, another server's answer) is the full path's to explain.
  if (answer.status !== 200) return false;
  const page = parseJson(answer.body);
  if (!isSnekPage(page) || page.items.length === 0 || page.nextCursor !== null) return false;
  process.stdout.write(formatSneks(page.items));
  if (cache && answer.etag) cache.write(lookup!, page.items, answer.etag);
  return true;
}

function parseArgs(argv: readonly string[]): { name?: string; flags: Record<string, string>; noCache: boolean } | undefined {
  const flags: Record<string, string> = {};
  let name: string | undefined;
  let noCache = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--no-cache') noCache = true;
    else if (arg.startsWith('--')) {
      const [key, inline] = arg.slice(2).split(/=(.*)/s, 2);
      if (!VALUE_FLAGS.has(key!) || key! in flags) return undefined;
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('-')) return undefined;
      flags[key!] = value;
    } else if (arg.startsWith('-') || name !== undefined || COMMANDS.has(arg)) return undefined;
    else name = arg;
  }
  return name === undefined ? { flags, noCache } : { name, flags, noCache };
}

async function get(url: string, token: string | undefined, timeoutMs: number, etag: string | null | undefined): Promise<{ status: number; body: string; etag: string | undefined } | { error: string | undefined }> {
  // TLS costs a few milliseconds to load; only https URLs pay for it.
  const request = url.startsWith('https:') ? (await import('node:https')).request : httpRequest;
  return new Promise((resolve) => {
    const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(etag ? { 'if-none-match': etag } : {}) };
    const req = request(url, { headers, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body, etag: res.headers.etag }));
      res.on('error', () => resolve({ error: undefined }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code }));
    req.end();
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
