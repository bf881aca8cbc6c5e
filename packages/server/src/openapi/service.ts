import { BROKEN_HTTP, READ_ERRORS, READ_SECURITY, json, problem, response } from './shared.js';

const badHttp = problem(`${BROKEN_HTTP}.`);

/** Health checks and this document. */
export function servicePaths() {
  return {
    '/healthz': {
      get: {
        operationId: 'getHealth',
        tags: ['service'],
        summary: 'The process is up',
        description: 'Open to all, even on a server with `auth.read: token`: for a liveness check. Never cached (`Cache-Control: no-store`).',
        security: [{}],
        responses: {
          '200': { description: 'OK', content: json({ type: 'object', required: ['status'], properties: { status: { const: 'ok' } }, additionalProperties: false }) },
          '400': badHttp,
          '431': response('HeadersTooLarge'),
        },
      },
    },
    '/readyz': {
      get: {
        operationId: 'getReadiness',
        tags: ['service'],
        summary: 'The store answers',
        description:
          "Open to all, even on a server with `auth.read: token`: a load balancer's readiness check sends no token. " +
          "Anyone gets the status alone; the store's name and the status it reports (a database host, a file's path) go only to a request " +
          'with a token (or the sign-in cookie) that has the read scope, on a public server too. Any other credentials, even wrong ones, get the status alone. ' +
          'Never cached (`Cache-Control: no-store`, `Vary: Authorization, Cookie`).',
        security: READ_SECURITY,
        responses: {
          '200': {
            description: "Ready: `{ status }` alone, or with a read-scope token also the store's name and whatever status it reports",
            content: json({ type: 'object', required: ['status'], properties: { status: { const: 'ready' }, store: { type: 'string', description: 'Only with a read-scope token.' } } }),
          },
          '400': badHttp,
          '431': response('HeadersTooLarge'),
          '500': response('Internal'),
          '503': response('StoreUnavailable'),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        tags: ['service'],
        summary: 'This document',
        security: READ_SECURITY,
        responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object', required: ['openapi', 'info', 'paths'], properties: { openapi: { type: 'string' }, info: { type: 'object' }, paths: { type: 'object' } } }) }, '400': badHttp, ...READ_ERRORS },
      },
    },
    '/docs': {
      get: {
        operationId: 'getDocs',
        tags: ['service'],
        summary: 'This document, rendered by Swagger UI',
        security: READ_SECURITY,
        responses: { '200': { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } }, '400': badHttp, ...READ_ERRORS },
      },
    },
  };
}
