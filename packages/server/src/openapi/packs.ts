import { BROKEN_HTTP, READ_ERRORS, READ_SECURITY, json, problem } from './shared.js';

const packSchema = {
  type: 'object',
  required: ['name', 'use', 'version', 'sneks', 'added'],
  properties: {
    name: { type: 'string', description: "The pack's own name." },
    use: { type: 'string', description: 'The entry of `server.packs` that named it.' },
    version: { type: ['string', 'null'], description: 'Its package version; null for a folder or file without a package.json.' },
    sneks: { type: 'integer', minimum: 0, description: 'How many sneks the pack holds.' },
    added: { type: 'integer', minimum: 0, description: 'How many of them this start added to the store.' },
  },
};

/** The snek packs in force. */
export function packPaths() {
  return {
    '/v1/packs': {
      get: {
        operationId: 'listPacks',
        tags: ['sneks'],
        summary: 'The snek packs in force (`server.packs`), in order, with their versions and what each added at start',
        security: READ_SECURITY,
        responses: {
          '200': { description: 'The packs; empty with `server.packs: []`', content: json({ type: 'object', required: ['packs'], properties: { packs: { type: 'array', items: packSchema } } }) },
          '400': problem(`${BROKEN_HTTP}.`),
          ...READ_ERRORS,
        },
      },
    },
  };
}
