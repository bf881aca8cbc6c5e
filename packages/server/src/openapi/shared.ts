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
/** The audit log: always a bearer token with the admin scope (SNEK_ADMIN_TOKEN has it). */
export const ADMIN_SECURITY = [{ bearer: [] }];

/** On a 429; a server with `server.limits` sends RateLimit and RateLimit-Policy on every answer it counted. */
export const RATE_LIMIT_HEADERS = {
  'Retry-After': { description: 'Seconds until the client may try again.', schema: { type: 'integer', minimum: 0 } },
  RateLimit: { description: 'IETF draft-ietf-httpapi-ratelimit-headers (draft 8 on): per quota (`"address"`, `"actor"`), the requests left (`r`) and the seconds until the window resets (`t`).', schema: { type: 'string' } },
  'RateLimit-Policy': { description: 'Per quota, its requests (`q`) per window of `w` seconds, and a hash of what it counts by (`pk`).', schema: { type: 'string' } },
};

// Answers shared by many operations. 400 is not here: each operation says what makes its request bad.
const RESPONSES = {
  Unauthorized: {
    ...problem('No bearer token, or one this server does not know. Reads need one only on a server with `auth.read: token`.'),
    headers: { 'WWW-Authenticate': { description: 'RFC 6750: `Bearer realm="snek"`, with `error="invalid_token"` when the token sent is not known.', schema: { type: 'string' } } },
  },
  ReadForbidden: problem('The token lacks the read scope (only on a server with `auth.read: token`).'),
  WriteForbidden: problem('Writes are disabled on this server (no token has the write scope), or the token lacks the write scope (or, with `auth.read: token`, the read scope).'),
  AdminForbidden: problem('The token lacks the admin scope (or, with `auth.read: token`, the read scope).'),
  HistoryNotKept: problem('`HISTORY_NOT_KEPT`: the server\'s store keeps no change log, so it has no history.'),
  HeadersTooLarge: problem('The request line and headers are over 16 KiB.'),
  RateLimited: {
    ...problem('`RATE_LIMITED`: the client went past a limit of `server.limits`, per address or per person or token; `detail` says when to try again. Only on a server with limits.'),
    headers: RATE_LIMIT_HEADERS,
  },
  Internal: problem('An unexpected fault; the server log has it under the requestId.'),
  StoreUnavailable: problem('The store is not answering (a broken disk, a vanished folder, a failing plugin). The server stays up.'),
  StoreFull: problem("The store's disk is full; nothing was changed. Reads still work."),
};

/** The statuses any read can get besides its own: private-server auth, oversized headers, faults. */
export const READ_ERRORS = {
  '401': response('Unauthorized'),
  '403': response('ReadForbidden'),
  '429': response('RateLimited'),
  '431': response('HeadersTooLarge'),
  '500': response('Internal'),
};

/** What every operation answers to a request that is not valid HTTP, before any route sees it. */
export const BROKEN_HTTP = 'The request is not valid HTTP';

export function components() {
  const snek = jsonSchema(snekSchema) as { required: string[]; properties: Record<string, unknown> };
  return {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'A token from SNEK_ADMIN_TOKEN or `server.auth` in .snekrc, or a sign-in provider’s access token, with the scope the operation needs: read, write, or admin (the audit log; SNEK_ADMIN_TOKEN has every scope). On a server with `auth.read: token`, every answer varies on Authorization and Cookie, and one to a token or the sign-in cookie is `Cache-Control: private`.',
      },
    },
    responses: RESPONSES,
    schemas: {
      Snek: snek,
      SnekAnswer: {
        ...snek,
        description: 'A snek as the API answers it: with who changed it last and when, from the store\'s change log. Its ETag is that of `{ id, name, type, content }` alone, so `updatedAt` and `updatedBy` may change (a rewrite of the same snek) while the ETag stays.',
        required: [...snek.required, 'updatedAt', 'updatedBy'],
        properties: {
          ...snek.properties,
          updatedAt: { type: ['string', 'null'], format: 'date-time', description: 'When its newest change was committed (ISO 8601 UTC); null when the store keeps no history, or has no change of it.' },
          updatedBy: { oneOf: [ref('PublicActor'), { type: 'null' }], description: 'Who made its newest change; null when the store keeps no history, the change named nobody (packs seeded at start), or there is none.' },
        },
      },
      SnekBody: jsonSchema(snekBodySchema),
      SnekPage: {
        type: 'object',
        required: ['items', 'nextCursor', 'prevCursor'],
        properties: {
          items: { type: 'array', items: ref('SnekAnswer') },
          nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last one.' },
          prevCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the page before; null on the first page, and for a `name` lookup (it pages forward only).' },
          offset: { type: 'integer', minimum: 0, description: 'Where the first item stands among all results (0-based), for "101–200 of 1,204"; absent for a `name` lookup.' },
          total: { type: 'integer', minimum: 0, description: 'How many sneks the list has (of `type`), when the store counts types; absent for a search or a `name` lookup.' },
          scanned: { type: 'boolean', enum: [true], description: 'Present when the store cannot sort or search itself and had more sneks than the server looks at (SCAN_BOUND, 10,000): the page sorts or ranks only the first of them in id order.' },
        },
      },
      Actor: {
        type: 'object',
        description: 'Who made a request or a change, in full: for `GET /v1/whoami` and the audit log.',
        required: ['kind', 'id'],
        properties: {
          kind: { enum: ['person', 'token'], description: 'A person a sign-in provider vouched for, or one of the server’s configured tokens.' },
          id: { type: 'string', description: 'The person’s subject at their provider, or the token’s name.' },
          name: { type: 'string' },
          email: { type: 'string' },
          via: { type: 'string', description: 'The sign-in provider’s name, for a person.' },
        },
      },
      PublicActor: {
        type: 'object',
        description: 'Who made a change, as every reader sees it: a person’s name (else their email, else their subject), or a token’s name.',
        required: ['kind', 'name'],
        additionalProperties: false,
        properties: { kind: { enum: ['person', 'token'] }, name: { type: 'string' } },
      },
      Revision: {
        type: 'object',
        description: 'One change of a snek: a `put` carries the snek as written, a `delete` none.',
        required: ['seq', 'op', 'at', 'by'],
        additionalProperties: false,
        properties: {
          seq: { type: 'integer', minimum: 1, description: 'The change’s place in the store’s change log: grows strictly, in commit order, across every server on the store.' },
          op: { enum: ['put', 'delete'] },
          snek: ref('Snek'),
          at: { type: 'string', format: 'date-time', description: 'When the store committed it (ISO 8601 UTC).' },
          by: { oneOf: [ref('PublicActor'), { type: 'null' }], description: 'Who made it; null when the write named nobody (packs seeded at start).' },
        },
      },
      RevisionPage: {
        type: 'object',
        required: ['items', 'nextCursor'],
        additionalProperties: false,
        properties: { items: { type: 'array', items: ref('Revision'), description: 'Newest first.' }, nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for older revisions; null on the last page.' } },
      },
      Change: {
        type: 'object',
        description: 'One entry of the store’s change log, with the full actor.',
        required: ['seq', 'id', 'op', 'actor', 'at'],
        additionalProperties: false,
        properties: {
          seq: { type: 'integer', minimum: 1 },
          id: { type: 'string', description: 'The snek’s id.' },
          op: { enum: ['put', 'delete'] },
          snek: ref('Snek'),
          actor: { oneOf: [ref('Actor'), { type: 'null' }], description: 'Who made it; null when the write named nobody.' },
          at: { type: 'string', format: 'date-time' },
        },
      },
      ChangePage: {
        type: 'object',
        required: ['items', 'next'],
        additionalProperties: false,
        properties: {
          items: { type: 'array', items: ref('Change'), description: 'Oldest first.' },
          next: { type: 'integer', minimum: 0, description: 'The seq of the last change here, or `after` when there is none: pass it as `after` for the next page.' },
        },
      },
      Problem: {
        type: 'object',
        description:
          'An RFC 9457 problem document; `code` is stable, the rest is for people. Besides the statuses each operation lists, a method that a path does not have ' +
          'answers 405 (`METHOD_NOT_ALLOWED`) with an `Allow` header naming the methods it has, and a path that no operation has answers 404 (`ROUTE_NOT_FOUND`), ' +
          'or 429 (`RATE_LIMITED`) once its address has gone past `server.limits`.',
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
          limitedBy: { enum: ['address', 'actor'], description: 'With RATE_LIMITED: the limit reached, per client address or per person or token.' },
          retryAfter: { type: 'integer', minimum: 1, description: 'With RATE_LIMITED: seconds until the client may try again, as in Retry-After.' },
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
