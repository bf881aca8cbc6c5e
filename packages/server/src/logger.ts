import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { RequestHandler, Response } from 'express';
import { pino, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import { SnekError, type Actor } from '@snek/core';
import { routeTemplate } from './route-template.js';

export type LogFormat = 'json' | 'pretty';

/** SNEK_LOG_FORMAT=json|pretty; unset: pretty on a terminal, JSON lines otherwise (a pipe, a file, a collector). */
export function logFormat(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): LogFormat {
  const format = env['SNEK_LOG_FORMAT'];
  if (format === undefined || format === '') return stdoutIsTty ? 'pretty' : 'json';
  if (format === 'json' || format === 'pretty') return format;
  throw new SnekError('CONFIG_INVALID', `SNEK_LOG_FORMAT is "${format.slice(0, 40)}", which is not a log format. Set it to json or pretty, or unset it.`);
}

/**
 * Logs to stdout; SNEK_LOG_LEVEL=debug|info|warn|error|silent, SNEK_LOG_FORMAT (see logFormat). JSON lines are
 * written asynchronously: a synchronous write per request costs more than serving it.
 */
export function createLogger(env: NodeJS.ProcessEnv = process.env, stdoutIsTty = process.stdout.isTTY === true): Logger {
  const options = { level: env['SNEK_LOG_LEVEL'] ?? 'info', base: { service: 'snek-server' } };
  if (logFormat(env, stdoutIsTty) === 'pretty') return pino({ ...options, hooks: { logMethod: requestAsText } }, prettyStream());
  // pino flushes this on exit, and turns logging off after an EPIPE (see settleLogger).
  const destination = pino.destination({ dest: 1, sync: false });
  // Any other failure to write the log costs us the log, never the server.
  destination.on('error', () => {});
  return pino(options, destination);
}

/** One line per entry for a person at a terminal; slower than JSON, and loaded only when asked for. */
function prettyStream() {
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  // Synchronous: a terminal is slow anyway, and no line is lost at exit.
  return pretty({ destination: 1, sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
}

/** Pretty mode only: a request line reads "GET /v1/sneks/cute 200 1.2 ms from 127.0.0.1 {reqId}" rather than eight fields. */
function requestAsText(this: Logger, args: Parameters<Logger['info']>, log: (...args: Parameters<Logger['info']>) => void): void {
  const [fields] = args as unknown as [RequestLine | undefined];
  if (typeof fields !== 'object' || fields === null || !('ms' in fields)) return log.apply(this, args);
  // The route adds nothing for a person who reads the path.
  const { method, url, status, ms, ip, route: _route, ...rest } = fields;
  log.apply(this, [rest, `${method} ${url} ${status} ${ms} ms from ${ip ?? 'a closed connection'}`] as unknown as Parameters<Logger['info']>);
}

// A sign-in callback's query holds a one-time code and the state. Express routes paths whatever their case and with a
// trailing slash, so every query under /signin/ is left out, and any query that carries a code or a state.
const SIGN_IN = /^\/signin(?:\/|\?|$)/i;
const SECRET_PARAM = /(?:^|[?&;])(?:code|state)=/i;

function loggedUrl(url: string): string {
  const query = url.indexOf('?');
  if (query !== -1 && (SIGN_IN.test(url) || SECRET_PARAM.test(url.slice(query)))) return `${url.slice(0, Math.min(query, 200))}?…`;
  return url.slice(0, 200);
}

function actorFields(actor: Actor | undefined): Pick<RequestLine, 'token' | 'user'> {
  if (!actor) return {};
  return actor.kind === 'token' ? { token: actor.id } : { user: { sub: actor.id, email: actor.email, via: actor.via } };
}

interface RequestLine {
  reqId: string;
  method: string;
  url: string;
  /** The route template that answered (`/v1/sneks/:id`), as metrics label it; "(unmatched)" for none. */
  route: string;
  status: number;
  ms: number;
  /** The client's address: express's req.ip, the proxy's word for it only with server.trustProxy. */
  ip: string | undefined;
  token?: string | undefined;
  /** A person's subject, email and sign-in provider; never a token or a cookie. */
  user?: { sub: string; email?: string | undefined; via?: string | undefined } | undefined;
}

/**
 * Waits (at most 500 ms) until the logger's last writes have finished or failed. Exit flushes what is left
 * synchronously, and sonic-boom retries a failed synchronous write (EPIPE: the reader of stdout is gone)
 * forever; a failed asynchronous one, seen first, turns logging off instead, and exit is safe.
 */
export function settleLogger(logger: Logger): Promise<void> {
  const stream = (logger as unknown as Record<symbol, EventEmitter>)[pino.symbols.streamSym]!;
  return new Promise((resolve) => {
    let quiet: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(quiet);
      clearTimeout(cap);
      stream.off('write', wait).off('error', wait);
      resolve();
    };
    const wait = () => {
      clearTimeout(quiet);
      quiet = setTimeout(finish, 20);
    };
    const cap = setTimeout(finish, 500);
    stream.on('write', wait).on('error', wait);
    wait();
  });
}

declare global {
  namespace Express {
    // Kept in res.locals, not on req: a property added to every request object costs a GET about 3%.
    interface Locals {
      /** The request id, echoed in x-request-id and in problem documents. */
      requestId: string;
      /** performance.now() when the request reached the app. */
      startedAt: number;
      /** Who the request acts for: a token by its name (never its value), or a person. */
      actor?: Actor | undefined;
      /** For files served under a prefix, which have no route: the prefix as a route label, `/docs/assets/*`. */
      routePrefix?: string | undefined;
    }
  }
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

// Probes and scrapes come every few seconds from machines: their lines are for debugging, not the operator's log.
const QUIET_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One log line per request when it ends, tagged with a request id echoed in x-request-id. It logs the
 * method, path, route, status, time, client address and token name; never headers, so never a token. A failure
 * (5xx) is an error; a health probe or a scrape answered 2xx or 3xx is at debug (a refused scrape is not), anything
 * else at info.
 */
export function requestLogger(logger: Logger): RequestHandler {
  // One listener shared by every response (no closure per request): `this` is the response.
  function logFinished(this: Response): void {
    const { locals, req } = this;
    const route = routeTemplate(this);
    const quiet = this.statusCode < 400 && QUIET_ROUTES.has(route);
    if (quiet && !logger.isLevelEnabled('debug')) return;
    const line: RequestLine = { reqId: locals.requestId, method: req.method, url: loggedUrl(req.originalUrl), route, status: this.statusCode, ms: Math.round((performance.now() - locals.startedAt) * 10) / 10, ip: req.ip, ...actorFields(locals.actor) };
    if (this.statusCode >= 500) logger.error(line, 'request failed');
    else if (quiet) logger.debug(line, 'request');
    else logger.info(line, 'request');
  }
  return (req, res, next) => {
    res.locals.startedAt = performance.now();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    res.on('finish', logFinished);
    next();
  };
}
