import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { RequestHandler, Response } from 'express';
import { pino, type Logger } from 'pino';

/**
 * JSON lines on stdout; SNEK_LOG_LEVEL=debug|info|warn|error|silent. Lines are written asynchronously:
 * a synchronous write per request costs more than serving it.
 */
export function createLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  // pino flushes this on exit, and turns logging off after an EPIPE (see settleLogger).
  const destination = pino.destination({ dest: 1, sync: false });
  // Any other failure to write the log costs us the log, never the server.
  destination.on('error', () => {});
  return pino({ level: env['SNEK_LOG_LEVEL'] ?? 'info', base: { service: 'snek-server' } }, destination);
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
      /** The name (never the value) of the token that authorised the request. */
      tokenName?: string;
    }
  }
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * One log line per request when it ends, tagged with a request id echoed in x-request-id. It logs the
 * method, path, status, time and token name; never headers, so never a token.
 */
export function requestLogger(logger: Logger): RequestHandler {
  // One listener shared by every response (no closure per request): `this` is the response.
  function logFinished(this: Response): void {
    const { locals, req } = this;
    const line = { reqId: locals.requestId, method: req.method, url: req.originalUrl.slice(0, 200), status: this.statusCode, ms: Math.round((performance.now() - locals.startedAt) * 10) / 10, token: locals.tokenName };
    if (this.statusCode >= 500) logger.error(line, 'request failed');
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
