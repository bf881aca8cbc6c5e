import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { SnekError, type SnekErrorCode } from '@snek/core';

const STATUS_BY_CODE: Partial<Record<SnekErrorCode, number>> = {
  SNEK_INVALID: 400,
  REQUEST_INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  SNEK_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  STORE_CLOSED: 503,
  STORE_UNAVAILABLE: 503,
};

/** The problem+json status for an error code; anything unexpected is a 500. */
export function statusForCode(code: SnekErrorCode): number {
  return STATUS_BY_CODE[code] ?? 500;
}

/** Writes an RFC 9457 problem document that carries our stable `code`. */
export function sendProblem(req: Request, res: Response, error: SnekError): void {
  const status = statusForCode(error.code);
  res
    .status(status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `urn:snek:problem:${error.code.toLowerCase().replaceAll('_', '-')}`,
        title: STATUS_CODES[status],
        status,
        detail: error.message,
        code: error.code,
        instance: req.originalUrl,
        requestId: String(req.id ?? ''),
        ...error.details,
      }),
    );
}

// body-parser reports its failures with a `type`; these are the client's fault, so they stay 4xx.
const BODY_ERRORS: Record<string, [SnekErrorCode, string]> = {
  'entity.parse.failed': ['REQUEST_INVALID', 'The request body is not valid JSON'],
  'entity.too.large': ['PAYLOAD_TOO_LARGE', 'The request body is larger than 128 KiB'],
  'encoding.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'The request body uses an unsupported content encoding'],
  'charset.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'The request body must be UTF-8'],
};

function toSnekError(error: unknown): SnekError {
  if (SnekError.is(error)) return error;
  const { type, status, message } = error as { type?: string; status?: number; message?: string };
  const known = type ? BODY_ERRORS[type] : undefined;
  if (known) return new SnekError(known[0], `${known[1]}: ${message}. Send a JSON object of at most 128 KiB.`);
  if (typeof status === 'number' && status >= 400 && status < 500) return new SnekError('REQUEST_INVALID', `${message ?? 'Bad request'}.`);
  return new SnekError('INTERNAL', 'The server failed to handle this request. Its log has the details under this requestId.', { cause: error });
}

export const problemHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const snekError = toSnekError(error);
  if (statusForCode(snekError.code) >= 500) req.log?.error({ err: error }, 'request failed');
  if (res.headersSent) return res.end();
  sendProblem(req, res, snekError);
};

export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(new SnekError('ROUTE_NOT_FOUND', `There is no route ${req.method} ${req.path}. See /docs for the API.`));
};
