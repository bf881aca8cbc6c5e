import { BROKEN_HTTP, RATE_LIMIT_HEADERS, READ_SECURITY, ref, response } from '../openapi/shared.js';

const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const text = (description: string) => ({ description, content: { 'text/plain': { schema: { type: 'string' } } } });
const toSignIn = { description: 'A browser on a server with `auth.read: token` and no sign-in cookie: sent to /signin', headers: { Location: { schema: { const: '/signin' } } } };
const notModified = { description: 'Not modified: the page has the ETag sent in If-None-Match' };
// Without the read scope a browser is sent to /signin (303); any other client gets one line of text.
const textAuthErrors = {
  '401': text('No token, or a wrong one, on a server with `auth.read: token`: one line saying what to send'),
  '403': text('The token lacks the read scope: one line'),
};
const pageOrLine = { 'text/plain': { schema: { type: 'string' } }, 'text/html': { schema: { type: 'string' } } };
const brokenHttp = { 'application/problem+json': { schema: ref('Problem') } };
// 431 comes before any route, so it is problem+json; the gallery's own faults are a page or a line, as its other errors.
const faults = {
  '429': { description: 'A limit of `server.limits` was reached: one line, or a page, saying when to try again', headers: RATE_LIMIT_HEADERS, content: pageOrLine },
  '431': response('HeadersTooLarge'),
  '500': { description: 'An unexpected fault: one line, or a page, giving the request id the server log has it under', content: pageOrLine },
  '503': { description: 'The store is not answering: one line, or a page', content: pageOrLine },
};

/**
 * The gallery's pages and the plain-text sneks for curl. Their errors are a page or a line of text, not problem+json,
 * and /signin, /signout, the editor (/new, /s/:id/edit, /s/:id/delete) and the restore button's post
 * (/s/:id/history/:seq/restore) are left out: they are a browser's forms, not an API.
 */
export function webPaths() {
  return {
    '/': {
      get: {
        operationId: 'getGallery',
        tags: ['gallery'],
        summary: 'The snek gallery: every snek as a card, a page at a time',
        description: 'Absent with `server.web: false`. A cookie from /signin also counts as a read token here. A card shows at most 24 lines of art, faded out, with a link to the snek’s page, which shows all of it.',
        security: READ_SECURITY,
        parameters: [
          { name: 'name', in: 'query', required: false, schema: { type: 'string' }, description: 'Only sneks with exactly this name; empty means any.' },
          { name: 'type', in: 'query', required: false, schema: { type: 'string' }, description: 'Only sneks of this type; empty means any.' },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500 }, description: 'Cards per page; default 48.' },
          { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'From the page’s "Next page" link.' },
        ],
        responses: { '200': html('The gallery page'), '303': toSignIn, '304': notModified, '400': { description: `A query parameter is invalid, and the page says which; or (problem+json) ${BROKEN_HTTP}`, content: { 'text/html': { schema: { type: 'string' } }, ...brokenHttp } }, ...textAuthErrors, ...faults },
      },
    },
    '/s/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'The snek id, a slug.' }],
      get: {
        operationId: 'getSnekArt',
        tags: ['gallery'],
        summary: 'One snek: its art as plain text for curl, or its page for a browser',
        description: 'Chosen by Accept (the answer has Vary: Accept): text/html gets the page, anything else the art and a final newline, e.g. `curl http://localhost:8000/s/cute`. Absent with `server.web: false`.',
        security: READ_SECURITY,
        responses: {
          '200': { description: 'The art and a newline, or the snek’s page', content: pageOrLine },
          '303': toSignIn,
          '304': notModified,
          '400': { description: `The id is not a slug: one line, or a page; or (problem+json) ${BROKEN_HTTP}`, content: { ...pageOrLine, ...brokenHttp } },
          ...textAuthErrors,
          '404': { description: 'No such snek: one line, or a page', content: pageOrLine },
          ...faults,
        },
      },
    },
    '/s/{id}/history': {
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'The snek id, a slug; a deleted snek’s history is here too.' },
      ],
      get: {
        operationId: 'getSnekHistoryPage',
        tags: ['gallery'],
        summary: 'A snek’s history as a page: who, when and a diff of the art per revision, newest first',
        description: 'For a browser; programs read GET /v1/sneks/{id}/revisions. A writer’s page has a restore button per revision. Absent with `server.web: false`.',
        security: READ_SECURITY,
        parameters: [{ name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'From the page’s "Older revisions" link.' }],
        responses: {
          '200': html('The history page'),
          '303': toSignIn,
          '400': { description: `The id is not a slug, or the cursor is not one the server gave out: one line, or a page; or (problem+json) ${BROKEN_HTTP}`, content: { ...pageOrLine, ...brokenHttp } },
          ...textAuthErrors,
          '404': { description: 'No history of that snek, or a store that keeps none: one line, or a page', content: pageOrLine },
          ...faults,
        },
      },
    },
  };
}
