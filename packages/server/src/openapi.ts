import { z } from 'zod';
import { MAX_LIST_LIMIT, snekBodySchema, snekSchema } from '@snek/core';

// Schemas come from the same zod definitions the routes validate with, so the document cannot drift.
const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'The snek id, a slug.' };
const query = (name: string, description: string, schema: object = { type: 'string' }) => ({ name, in: 'query', required: false, schema, description });

/** The OpenAPI 3.1 description of every route this server has. */
export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: { title: 'Snek API', version, description: 'Sneks as a Service: ASCII-art sneks, served from your own network.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Snek: jsonSchema(snekSchema),
        SnekBody: jsonSchema(snekBodySchema),
        SnekPage: { type: 'object', required: ['items', 'nextCursor'], properties: { items: { type: 'array', items: ref('Snek') }, nextCursor: { type: ['string', 'null'] } } },
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail', 'code'],
          properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' }, instance: { type: 'string' }, requestId: { type: 'string' } },
        },
      },
    },
    paths: {
      '/v1/sneks': {
        get: {
          summary: 'List sneks in id order, one page at a time',
          parameters: [
            query('name', 'Only sneks with exactly this name.'),
            query('type', 'Only sneks of exactly this type.'),
            query('limit', `Page size, 1 to ${MAX_LIST_LIMIT}; default 100.`, { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT }),
            query('cursor', 'The nextCursor of the previous page.'),
          ],
          responses: { '200': { description: 'A page of sneks', content: json(ref('SnekPage')) }, '400': problem('A query parameter is invalid') },
        },
      },
      '/v1/sneks/{id}': {
        parameters: [idParam],
        get: {
          summary: 'Get one snek',
          responses: { '200': { description: 'The snek; send its ETag back in If-None-Match', content: json(ref('Snek')) }, '304': { description: 'Not modified' }, '400': problem('The id is not a slug'), '404': problem('No such snek') },
        },
        put: {
          summary: 'Create or replace a snek',
          security: [{ bearer: [] }],
          requestBody: { required: true, content: json(ref('SnekBody')) },
          responses: {
            '200': { description: 'Replaced', content: json(ref('Snek')) },
            '201': { description: 'Created', content: json(ref('Snek')) },
            '400': problem('The body is not valid JSON or not a valid snek'),
            '401': problem('No token, or an unknown one'),
            '403': problem('Writes are disabled on this server'),
            '413': problem('The body is over 128 KiB'),
            '415': problem('The body is not JSON'),
          },
        },
        delete: {
          summary: 'Delete a snek',
          security: [{ bearer: [] }],
          responses: { '204': { description: 'Deleted' }, '401': problem('No token, or an unknown one'), '403': problem('Writes are disabled on this server'), '404': problem('No such snek') },
        },
      },
      '/v1/types': {
        get: {
          summary: 'Every type, with how many sneks have it',
          responses: { '200': { description: 'Types in order', content: json({ type: 'object', required: ['types'], properties: { types: { type: 'array', items: { type: 'object', required: ['type', 'count'], properties: { type: { type: 'string' }, count: { type: 'integer' } } } } } }) } },
        },
      },
      '/sneks': {
        get: {
          summary: "The Python prototype's endpoint: { sneks: { id: { name, content } } }",
          parameters: [query('name', 'Only sneks with exactly this name.')],
          responses: {
            '200': { description: 'Sneks by id', content: json({ type: 'object', required: ['sneks'], properties: { sneks: { type: 'object', additionalProperties: { type: 'object', required: ['name', 'content'], properties: { name: { type: 'string' }, content: { type: 'string' } } } } } }) },
            '400': problem('The name is invalid'),
          },
        },
      },
      '/healthz': { get: { summary: 'The process is up', responses: { '200': { description: 'OK', content: json({ type: 'object' }) } } } },
      '/readyz': { get: { summary: 'The store answers', responses: { '200': { description: 'Ready', content: json({ type: 'object' }) }, '503': problem('The store is not answering') } } },
      '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } } } },
      '/docs': { get: { summary: 'This document, rendered', responses: { '200': { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } } } } },
    },
  };
}
