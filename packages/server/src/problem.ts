import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { SnekError, type SnekErrorCode } from '@snek/core';

const STATUS_BY_CODE: Partial<Record<SnekErrorCode, number>> = {
  SNEK_INVALID: 400,
  REQUEST_INVALID: 400,
  UNAUTHORIZED: 401,
  AUTH_TOKEN_INVALID: 401,
  AUTH_SIGN_IN_FAILED: 401,
  AUTH_NO_SCOPE: 403,
  AUTH_UNAVAILABLE: 503,
  FORBIDDEN: 403,
  SNEK_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  HISTORY_NOT_KEPT: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  REQUEST_HEADERS_TOO_LARGE: 431,
  SERVER_BUSY: 503,
  STORE_CLOSED: 503,
  STORE_UNAVAILABLE: 503,
  STORE_FULL: 507,
};

/** The problem+json status for an error code; anything unexpected is a 500. */
export function statusForCode(code: SnekErrorCode): number {
  return STATUS_BY_CODE[code] ?? 500;
}

/** The RFC 9457 problem document for an error, carrying our stable `code`. */
export function problemBody(error: SnekError, extra: { instance?: string; requestId?: string } = {}): string {
  const status = statusForCode(error.code);
  return JSON.stringify({
    type: `urn:snek:problem:${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: STATUS_CODES[status],
    status,
    detail: error.message,
    code: error.code,
    ...extra,
    ...error.details,
  });
}

export function sendProblem(req: Request, res: Response, error: SnekError): void {
  // Long URLs are clipped: a problem document must not echo a megabyte back.
  const body = problemBody(error, { instance: req.originalUrl.slice(0, 200), requestId: String(res.locals.requestId ?? '') });
  res.status(statusForCode(error.code)).type('application/problem+json').send(body);
}

// body-parser reports its failures with a `type`; these are the client's fault, so they stay 4xx.
const BODY_ERRORS: Record<string, [SnekErrorCode, string]> = {
  'entity.parse.failed': ['REQUEST_INVALID', 'The request body is not valid JSON'],
  'entity.too.large': ['PAYLOAD_TOO_LARGE', 'The request body is larger than 128 KiB'],
  'encoding.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'The request body uses an unsupported content encoding'],
  'charset.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'The request body must be UTF-8'],
};

/** Any error a route or middleware raised, as a SnekError: body-parser's own stay 4xx, the unexpected are INTERNAL. */
export function toSnekError(error: unknown): SnekError {
  if (SnekError.is(error)) return error;
  const { type, status, message } = error as { type?: string; status?: number; message?: string };
  const known = type ? BODY_ERRORS[type] : undefined;
  if (known) return new SnekError(known[0], `${known[1]}: ${message}. Send a JSON object of at most 128 KiB.`);
  if (typeof status === 'number' && status >= 400 && status < 500) return new SnekError('REQUEST_INVALID', `The request could not be read: ${message ?? 'bad request'}. Send a JSON body, as described at /docs.`);
  return new SnekError('INTERNAL', 'The server failed to handle this request. Its log has the details under this requestId.', { cause: error });
}

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const snekError = toSnekError(error);
    if (statusForCode(snekError.code) >= 500) logger.error({ reqId: res.locals.requestId, err: snekError.cause ?? error }, snekError.message);
    if (res.headersSent) return res.end();
    sendProblem(req, res, snekError);
  };
}

export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(new SnekError('ROUTE_NOT_FOUND', `There is no route ${req.method} ${req.path}. See /docs for the API.`));
};
