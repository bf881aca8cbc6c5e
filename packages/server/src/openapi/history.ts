import { DEFAULT_CHANGES_LIMIT, MAX_CHANGES_LIMIT } from '@snek/core';
import { DEFAULT_REVISIONS_LIMIT, MAX_REVISIONS_LIMIT } from '../history.js';
import { ADMIN_SECURITY, BROKEN_HTTP, READ_ERRORS, READ_SECURITY, WRITE_SECURITY, json, problem, query, ref, response } from './shared.js';
import { etag, header, idParam, preconditionFailed } from './sneks.js';

const seqParam = { name: 'seq', in: 'path', required: true, schema: { type: 'integer', minimum: 1 }, description: 'The revision’s `seq`, as its history lists it.' };
const noHistory = (what: string) => problem(`${what}, or \`HISTORY_NOT_KEPT\`: the server's store keeps no change log.`);

/** A snek's history and undo, and the audit log of every change. */
export function historyPaths() {
  return {
    '/v1/sneks/{id}/revisions': {
      parameters: [idParam],
      get: {
        operationId: 'listRevisions',
        tags: ['history'],
        summary: 'The revisions of a snek, newest first, one page at a time',
        description: 'Every change of the id that the store still keeps (`server.history.keep` per snek): each `put` with the snek as written, each `delete`, who made it and when. A deleted snek keeps its history.',
        security: READ_SECURITY,
        parameters: [
          query('limit', `Page size, 1 to ${MAX_REVISIONS_LIMIT}; default ${DEFAULT_REVISIONS_LIMIT}.`, { type: 'integer', minimum: 1, maximum: MAX_REVISIONS_LIMIT }),
          query('cursor', 'The nextCursor of the previous page: the base64url of "b:" and the seq to page on before. It grants nothing and is not signed; any other shape is a 400.'),
        ],
        responses: {
          '200': { description: 'A page of revisions', content: json(ref('RevisionPage')) },
          '400': problem(`The id is not a slug, \`limit\` is not a whole number in range, the cursor is not one we gave out, or a parameter is repeated or unknown. ${BROKEN_HTTP}.`),
          ...READ_ERRORS,
          '404': noHistory('The id has no history: no change of it is kept (`SNEK_NOT_FOUND`)'),
          '503': response('StoreUnavailable'),
        },
      },
    },
    '/v1/sneks/{id}/revisions/{seq}': {
      parameters: [idParam, seqParam],
      get: {
        operationId: 'getRevision',
        tags: ['history'],
        summary: 'One revision of a snek',
        security: READ_SECURITY,
        responses: {
          '200': { description: 'The revision', content: json(ref('Revision')) },
          '400': problem(`The id is not a slug, or seq is not a whole number from 1. ${BROKEN_HTTP}.`),
          ...READ_ERRORS,
          '404': noHistory('That seq is not a change of this snek, or no longer kept (`SNEK_NOT_FOUND`)'),
          '503': response('StoreUnavailable'),
        },
      },
    },
    '/v1/sneks/{id}/revisions/{seq}/restore': {
      parameters: [idParam, seqParam],
      post: {
        operationId: 'restoreRevision',
        tags: ['history'],
        summary: 'Make a revision of a snek current again; with If-Match or If-None-Match, only if the snek is as expected',
        description:
          'Writes the snek of that `put` revision, as a PUT of it would, and answers as a PUT does; the write is a new change, made by the caller. ' +
          'A deleted snek can be restored. No body is read. The check and the write are one atomic step.',
        security: WRITE_SECURITY,
        parameters: [
          header('If-Match', 'Restore only if the current snek is this version: its ETag from GET, quotes included, or `*` for "only if it exists". Otherwise 412.'),
          header('If-None-Match', '`*`: restore only if there is no snek with this id now (undo a delete, never replace). Otherwise 412.'),
        ],
        responses: {
          '200': { description: 'Restored over the current snek', headers: etag, content: json(ref('SnekAnswer')) },
          '201': { description: 'Restored a snek that had been deleted', headers: etag, content: json(ref('SnekAnswer')) },
          '400': problem(`The id is not a slug, seq is not a whole number from 1, If-Match / If-None-Match is not \`*\` or a list of quoted ETags, or the revision is a \`delete\` (\`REQUEST_INVALID\`), which has no snek to restore. ${BROKEN_HTTP}.`),
          ...READ_ERRORS,
          '403': response('WriteForbidden'),
          '404': noHistory('That seq is not a change of this snek, or no longer kept (`SNEK_NOT_FOUND`)'),
          '412': preconditionFailed,
          '503': response('StoreUnavailable'),
          '507': response('StoreFull'),
        },
      },
    },
    '/v1/changes': {
      get: {
        operationId: 'listChanges',
        tags: ['history'],
        summary: 'The audit log: every change the store keeps, oldest first, with who made it',
        description:
          'Needs a bearer token with the admin scope, on any server: SNEK_ADMIN_TOKEN, `server.auth.tokenSha256` and `server.auth.tokenEnv` have it, and `server.auth.tokens[].scopes` can grant it. ' +
          'Actors are shown in full. Answers are `Cache-Control: private, no-store`. Page on by passing `next` back as `after`.',
        security: ADMIN_SECURITY,
        parameters: [
          query('after', 'Only changes with a greater seq; default 0, from the oldest kept.', { type: 'integer', minimum: 0 }),
          query('limit', `At most this many, 1 to ${MAX_CHANGES_LIMIT}; default ${DEFAULT_CHANGES_LIMIT}.`, { type: 'integer', minimum: 1, maximum: MAX_CHANGES_LIMIT }),
        ],
        responses: {
          '200': { description: 'A page of the change log', content: json(ref('ChangePage')) },
          '400': problem(`\`after\` or \`limit\` is not a whole number in range, or a parameter is repeated or unknown. ${BROKEN_HTTP}.`),
          '401': response('Unauthorized'),
          '403': response('AdminForbidden'),
          '404': response('HistoryNotKept'),
          '429': response('RateLimited'),
          '431': response('HeadersTooLarge'),
          '500': response('Internal'),
          '503': response('StoreUnavailable'),
        },
      },
    },
  };
}
