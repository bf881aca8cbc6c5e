import { BROKEN_HTTP, READ_ERRORS, READ_SECURITY, problem, query } from './shared.js';

const EVENTS =
  'Server-Sent Events. It opens with `retry: 2000`; then one event per change of the log, in seq order, each once:\n\n' +
  '```\nid: 42\nevent: change\ndata: {"seq":42,"id":"cute","op":"put","snek":{"id":"cute","name":"Cute","type":"cute","content":"..."},"at":"2025-01-01T12:00:00.000Z","by":{"kind":"person","name":"Ada"}}\n```\n\n' +
  '`data` is one line of JSON: `seq`, `id`, `op` (`put` or `delete`), `snek` (for a put: the snek as written), `at` (when it was committed, ISO 8601 UTC) and ' +
  '`by`: who made it, `{ kind: "person" | "token", name }` (a person\'s name, else email, else id; a token\'s name), or null. A comment line `: ping` comes every 15 s, ' +
  'to keep proxies from closing an idle stream.';

/** GET /v1/changes/stream: the change log, live. */
export function changeStreamPaths() {
  return {
    '/v1/changes/stream': {
      get: {
        operationId: 'streamChanges',
        tags: ['sneks'],
        summary: 'Every change as it happens, as Server-Sent Events (an EventSource)',
        description:
          'Without a resume point, the changes from now on. `Last-Event-ID` (an EventSource sends it when it reconnects) or `after` resume after that seq with no gap and no repeat; ' +
          'changes the store no longer keeps (`server.history.keep`) are not sent. The stream stays open until the client or the server closes it; a client far behind is closed ' +
          'and resumes from its Last-Event-ID. Not cached (`Cache-Control: no-cache`).',
        security: READ_SECURITY,
        parameters: [
          query('after', 'Resume after this seq: send the changes after it, then those that follow. `Last-Event-ID` wins when both are sent.', { type: 'integer', minimum: 0 }),
          query('type', 'Only changes that concern sneks of this type: a put of a snek of this type, and a put or delete of a snek that had it just before (as the log tells; a delete whose earlier changes were dropped is sent too).'),
          { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^\\d{1,15}$' }, description: 'The `id` of the last event received: resume after it.' },
        ],
        responses: {
          '200': { description: 'The stream', content: { 'text/event-stream': { schema: { type: 'string', description: EVENTS } } } },
          '400': problem(`A query parameter is invalid or unknown, or Last-Event-ID is not a seq. ${BROKEN_HTTP}.`),
          ...READ_ERRORS,
          '404': problem('`HISTORY_NOT_KEPT`: the store keeps no change log, so there are no changes to stream.'),
          '503': { ...problem('The change log has not been read since the server started (the store is not answering), or the server is shutting down. Retry after `Retry-After` seconds.'), headers: { 'Retry-After': { description: 'Seconds to wait before reconnecting.', schema: { type: 'integer' } } } },
        },
      },
    },
  };
}
