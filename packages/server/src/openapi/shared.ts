import { z } from 'zod';
import { SNEK_ERROR_CODES, snekBodySchema, snekSchema } from '@snek/core';

// Small builders every area's paths use, and the components they point at.

// Schemas come from the same zod definitions the routes validate with, so the document cannot drift.
const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: object) => ({ 'application/json': { schema } });
/** An error answer: always problem+json (RFC 9457). */
export const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
export const response = (name: keyof typeof RESPONSES) => ({ $ref: `#/components/responses/${name}` });
export const query = (name: string, description: string, schema: object = { type: 'string' }) => ({ name, in: 'query', required: false, schema, description });

/**
 * Reads: anonymous on a public server, a bearer token with the read scope on one with `auth.read: token`, whose
 * answers to a token or cookie carry `Cache-Control: private` and `Vary: Authorization, Cookie`.
 */
export const READ_SECURITY = [{}, { bearer: [] }];
/** Writes: always a bearer token with the write scope. */
export const WRITE_SECURITY = [{ bearer: [] }];

// Answers shared by many operations. 400 is not here: each operation says what makes its request bad.
const RESPONSES = {
  Unauthorized: {
    ...problem('No bearer token, or one this server does not know. Reads need one only on a server with `auth.read: token`.'),
    headers: { 'WWW-Authenticate': { description: 'RFC 6750: `Bearer realm="snek"`, with `error="invalid_token"` when the token sent is not known.', schema: { type: 'string' } } },
  },
  ReadForbidden: problem('The token lacks the read scope (only on a server with `auth.read: token`).'),
  WriteForbidden: problem('Writes are disabled on this server (no token has the write scope), or the token lacks the write scope (or, with `auth.read: token`, the read scope).'),
  HeadersTooLarge: problem('The request line and headers are over 16 KiB.'),
  Internal: problem('An unexpected fault; the server log has it under the requestId.'),
  StoreUnavailable: problem('The store is not answering (a broken disk, a vanished folder, a failing plugin). The server stays up.'),
  StoreFull: problem("The store's disk is full; nothing was changed. Reads still work."),
};

/** The statuses any read can get besides its own: private-server auth, oversized headers, faults. */
export const READ_ERRORS = {
  '401': response('Unauthorized'),
  '403': response('ReadForbidden'),
  '431': response('HeadersTooLarge'),
  '500': response('Internal'),
};

/** What every operation answers to a request that is not valid HTTP, before any route sees it. */
export const BROKEN_HTTP = 'The request is not valid HTTP';

export function components() {
  return {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'A token from SNEK_ADMIN_TOKEN or `server.auth` in .snekrc. On a server with `auth.read: token`, every answer varies on Authorization and Cookie, and one to a token or the sign-in cookie is `Cache-Control: private`.',
      },
    },
    responses: RESPONSES,
    schemas: {
      Snek: jsonSchema(snekSchema),
      SnekBody: jsonSchema(snekBodySchema),
      SnekPage: {
        type: 'object',
        required: ['items', 'nextCursor'],
        properties: { items: { type: 'array', items: ref('Snek') }, nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last one.' } },
      },
      Problem: {
        type: 'object',
        description:
          'An RFC 9457 problem document; `code` is stable, the rest is for people. Besides the statuses each operation lists, a method that a path does not have ' +
          'answers 405 (`METHOD_NOT_ALLOWED`) with an `Allow` header naming the methods it has, and a path that no operation has answers 404 (`ROUTE_NOT_FOUND`).',
        required: ['type', 'title', 'status', 'detail', 'code'],
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer', minimum: 400, maximum: 599 },
          detail: { type: 'string' },
          code: { type: 'string', enum: [...SNEK_ERROR_CODES] },
          instance: { type: 'string' },
          requestId: { type: 'string' },
          errors: { type: 'array', description: 'With SNEK_INVALID: each invalid field.', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          scope: { type: 'string', description: 'With UNAUTHORIZED and FORBIDDEN: the scope the request needs.' },
          token: { type: 'string', description: 'With FORBIDDEN: the name (never the value) of the token presented.' },
        },
      },
      PreconditionFailed: {
        description: 'The problem document of a 412: PRECONDITION_FAILED, with the snek that is there now.',
        allOf: [
          ref('Problem'),
          {
            type: 'object',
            required: ['currentEtag', 'current'],
            properties: {
              code: { const: 'PRECONDITION_FAILED' },
              currentEtag: { type: ['string', 'null'], description: 'The ETag of the snek as it is now (send it in If-Match to replace that version); null when there is none.' },
              current: {
                oneOf: [
                  { type: 'object', required: ['id', 'name', 'type'], properties: { id: { type: 'string' }, name: { type: 'string' }, type: { type: 'string' } }, additionalProperties: false },
                  { type: 'null' },
                ],
                description: 'The id, name and type of the snek there now, or null when there is none.',
              },
            },
          },
        ],
      },
    },
  };
}
