import { BROKEN_HTTP, READ_ERRORS, READ_SECURITY, json, problem, query, response } from './shared.js';

const legacySneks = {
  type: 'object',
  required: ['sneks'],
  properties: { sneks: { type: 'object', additionalProperties: { type: 'object', required: ['name', 'content'], properties: { name: { type: 'string' }, content: { type: 'string' } } } } },
};

/** The Python prototype's endpoint, kept so its client works. */
export function legacyPaths() {
  return {
    '/sneks': {
      get: {
        operationId: 'legacyListSneks',
        tags: ['legacy'],
        summary: "The Python prototype's endpoint: { sneks: { id: { name, content } } }",
        security: READ_SECURITY,
        parameters: [query('name', 'Only sneks with exactly this name.')],
        responses: {
          '200': { description: 'Sneks by id', content: json(legacySneks) },
          '400': problem(`The name is invalid, or given twice. ${BROKEN_HTTP}.`),
          ...READ_ERRORS,
          '503': response('StoreUnavailable'),
        },
      },
    },
  };
}
