import { MAX_LIST_LIMIT, MAX_SEARCH_LENGTH, SNEK_SORTS } from '@snek/core';
import { BROKEN_HTTP, READ_ERRORS, READ_SECURITY, WRITE_SECURITY, json, problem, query, ref, response } from './shared.js';

export const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'The snek id, a slug.' };
export const etag = { ETag: { description: 'A strong validator, of the snek alone (not its updatedAt or updatedBy); send it back in If-None-Match, or in If-Match to write only over this version.', schema: { type: 'string' } } };
const pageEtag = { ETag: { description: 'A strong validator of the page as sent; send it back in If-None-Match.', schema: { type: 'string' } } };
export const header = (name: string, description: string) => ({ name, in: 'header', required: false, schema: { type: 'string' }, description });
const ifMatch = header(
  'If-Match',
  'Write only if the snek is this version: one or more ETags from GET or PUT, comma-separated, quotes included (strong comparison, so a `W/` tag never matches), or `*` for "only if it exists". Otherwise 412.',
);
const ifNoneMatch = header(
  'If-None-Match',
  '`*`: write only if there is no snek with this id (create, never replace). A list of ETags: only if the snek is none of them. Otherwise 412. Checked after If-Match when both are sent.',
);
export const preconditionFailed = {
  description: 'A precondition (If-Match, If-None-Match) does not hold for the snek as it is now; nothing was changed. The body names that snek and its ETag.',
  content: { 'application/problem+json': { schema: ref('PreconditionFailed') } },
};

/** /v1: sneks and their types. */
export function snekPaths() {
  return {
    '/v1/sneks': {
      get: {
        operationId: 'listSneks',
        tags: ['sneks'],
        summary: 'List sneks one page at a time: in id, name or last-change order, or ranked by a search; both ways',
        description: 'See docs/api.md, "Listing and searching": the ranking tiers, the cursors, and `scanned`.',
        security: READ_SECURITY,
        parameters: [
          query('q', `Search text, 1 to ${MAX_SEARCH_LENGTH} characters, no control characters: ranked results (exact name, name starts with, name contains, id or type contains, near misses). Every character is literal. Not with \`sort\` or \`name\`.`, { type: 'string', minLength: 1, maxLength: MAX_SEARCH_LENGTH }),
          query('name', 'Only sneks with exactly this name (id order). Not with `q` or `sort`.'),
          query('type', 'Only sneks of exactly this type; combines with `q` and `sort`.'),
          query('sort', '`id` (the default), `name` (natural order: "Snek 2" before "Snek 10") or `updated` (newest change first).', { type: 'string', enum: [...SNEK_SORTS] }),
          query('limit', `Page size, 1 to ${MAX_LIST_LIMIT}; default 100.`, { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT }),
          query('cursor', 'The nextCursor or prevCursor of a page of the same query, unchanged (the base64url of "a:" and an id still pages on in id order). It grants nothing and is not signed; another shape, or a cursor of another sort or search, is a 400.', { type: 'string', maxLength: 2000 }),
        ],
        responses: {
          '200': { description: 'A page of sneks, each with who changed it last and when; with `name`, it carries an ETag (other lists do not, to stay fast)', headers: pageEtag, content: json(ref('SnekPage')) },
          '304': { description: 'Not modified: `name` was given, and If-None-Match named the current ETag of this page', headers: pageEtag },
          '400': problem(`A query parameter is invalid or unknown, \`q\` is empty, too long or has control characters, \`q\` comes with \`sort\` or \`name\`, or the cursor is not one we gave out for this sort or search. ${BROKEN_HTTP}.`),
          ...READ_ERRORS,
          '503': response('StoreUnavailable'),
        },
      },
    },
    '/v1/sneks/{id}': {
      parameters: [idParam],
      get: {
        operationId: 'getSnek',
        tags: ['sneks'],
        summary: 'Get one snek',
        security: READ_SECURITY,
        responses: {
          '200': { description: 'The snek, with who changed it last and when', headers: etag, content: json(ref('SnekAnswer')) },
          '304': { description: 'Not modified: If-None-Match named its current ETag', headers: etag },
          '400': problem(`The id is not a slug. ${BROKEN_HTTP}.`),
          ...READ_ERRORS,
          '404': problem('No such snek'),
          '503': response('StoreUnavailable'),
        },
      },
      put: {
        operationId: 'putSnek',
        tags: ['sneks'],
        summary: 'Create or replace a snek; with If-Match or If-None-Match, only if the snek is as expected',
        description: 'The check and the write are one atomic step: of several writers sending the same If-Match, exactly one succeeds and the rest get 412.',
        security: WRITE_SECURITY,
        parameters: [ifMatch, ifNoneMatch],
        requestBody: { required: true, content: json(ref('SnekBody')) },
        responses: {
          '200': { description: 'Replaced', headers: etag, content: json(ref('SnekAnswer')) },
          '201': { description: 'Created', headers: etag, content: json(ref('SnekAnswer')) },
          '400': problem(`The id is not a slug, the body is not valid UTF-8 JSON or not a valid snek, or If-Match / If-None-Match is not \`*\` or a list of quoted ETags. ${BROKEN_HTTP}.`),
          ...READ_ERRORS,
          '403': response('WriteForbidden'),
          '412': preconditionFailed,
          '413': problem('The body is over 128 KiB'),
          '415': problem('The body is not JSON, or not UTF-8, or in an unsupported content encoding'),
          '503': response('StoreUnavailable'),
          '507': response('StoreFull'),
        },
      },
      delete: {
        operationId: 'deleteSnek',
        tags: ['sneks'],
        summary: 'Delete a snek; with If-Match, only if it is that version',
        security: WRITE_SECURITY,
        parameters: [ifMatch, ifNoneMatch],
        responses: {
          '204': { description: 'Deleted' },
          '400': problem(`The id is not a slug, or If-Match / If-None-Match is not \`*\` or a list of quoted ETags. ${BROKEN_HTTP}.`),
          ...READ_ERRORS,
          '403': response('WriteForbidden'),
          '404': problem('No such snek, whatever the preconditions (RFC 9110 §13.2.1: they are ignored where the request would fail without them)'),
          '412': preconditionFailed,
          '503': response('StoreUnavailable'),
          '507': response('StoreFull'),
        },
      },
    },
    '/v1/types': {
      get: {
        operationId: 'listTypes',
        tags: ['sneks'],
        summary: 'Every type, with how many sneks have it',
        security: READ_SECURITY,
        responses: {
          '200': {
            description: 'Types in order',
            content: json({ type: 'object', required: ['types', 'total'], properties: { types: { type: 'array', items: { type: 'object', required: ['type', 'count'], properties: { type: { type: 'string' }, count: { type: 'integer', minimum: 1 } } } }, total: { type: 'integer', minimum: 0, description: 'How many sneks there are: the sum of the counts.' } } }),
          },
          '400': problem(`${BROKEN_HTTP}.`),
          ...READ_ERRORS,
          '503': response('StoreUnavailable'),
        },
      },
    },
  };
}
