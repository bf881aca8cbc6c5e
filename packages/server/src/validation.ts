import type { Request } from 'express';
import { z } from 'zod';
import { DEFAULT_CHANGES_LIMIT, DEFAULT_LIST_LIMIT, MAX_CHANGES_LIMIT, MAX_LIST_LIMIT, MAX_SEARCH_LENGTH, SNEK_SORTS, SnekError, formatIssues, slugSchema, snekBodySchema, snekNameSchema, type Snek } from '@snek/core';
import type { FindQuery } from './find-sneks.js';
import { DEFAULT_REVISIONS_LIMIT, MAX_REVISIONS_LIMIT } from './history.js';

// What a person types into a search box: any printable text, so `%`, `_`, quotes and backslashes are plain characters.
const searchTextSchema = z
  .string()
  .min(1, 'must not be empty: leave q out to list every snek')
  .max(MAX_SEARCH_LENGTH, `must be at most ${MAX_SEARCH_LENGTH} characters (a name has at most 100)`)
  .refine((text) => !/\p{Cc}/u.test(text), 'must not contain control characters')
  .refine((text) => !/\p{Cs}/u.test(text), 'must be well-formed Unicode (no lone surrogates)');

const listQuerySchema = z
  .strictObject({
    q: searchTextSchema.optional(),
    name: snekNameSchema.optional(),
    type: slugSchema.optional(),
    sort: z.enum(SNEK_SORTS, `must be one of ${SNEK_SORTS.join(', ')}`).optional(),
    limit: z.string().regex(/^\d{1,4}$/, 'must be a whole number').transform(Number).pipe(z.number().min(1).max(MAX_LIST_LIMIT)).optional(),
    // A sorted or search cursor carries a name's sort key; page-cursor.ts checks it field by field.
    cursor: z.string().max(2000).optional(),
  })
  // A search has its own order, and an exact name is a lookup in id order.
  .refine((query) => query.q === undefined || query.sort === undefined, { message: 'q and sort cannot be combined: a search is in rank order; leave sort out', path: ['sort'] })
  .refine((query) => query.q === undefined || query.name === undefined, { message: 'q and name cannot be combined: use q to search, or name for one exact name', path: ['name'] })
  .refine((query) => query.name === undefined || query.sort === undefined, { message: 'name and sort cannot be combined: the sneks of one name come in id order; leave sort out', path: ['sort'] });

// A seq or a count in a URL: plain decimal digits, no sign, exponent or leading zero, within what a double holds exactly.
const wholeNumber = (min: number, max: number) => z.string().regex(/^(0|[1-9]\d{0,15})$/, 'must be a whole number').transform(Number).pipe(z.number().min(min).max(max));
const seqSchema = wholeNumber(1, Number.MAX_SAFE_INTEGER);
const revisionsQuerySchema = z.strictObject({
  limit: wholeNumber(1, MAX_REVISIONS_LIMIT).optional(),
  cursor: z.string().max(400).optional(),
});
const changesQuerySchema = z.strictObject({
  after: wholeNumber(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: wholeNumber(1, MAX_CHANGES_LIMIT).optional(),
});

const putBodySchema = snekBodySchema.extend({ id: slugSchema.optional() });
// Built once: a zod schema compiles itself on first use, which costs more than the check.
const legacyQuerySchema = z.strictObject({ name: snekNameSchema.optional() });

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new SnekError('SNEK_INVALID', `Invalid ${where}: ${formatIssues(result.error)}.`, {
      details: { errors: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) },
    });
  }
  return result.data;
}

export function parseId(req: Request): string {
  return parse(slugSchema, req.params['id'], 'snek id in the URL');
}

export function parseListQuery(req: Request): FindQuery {
  return parseListParams(req.query);
}

/** The list filters from any query-like object: the gallery's form sends empty fields, which it drops first. */
export function parseListParams(params: unknown): FindQuery {
  const query = parse(listQuerySchema, params, 'query');
  return { ...query, limit: query.limit ?? DEFAULT_LIST_LIMIT };
}

/** The `:seq` of a revision route. */
export function parseSeq(req: Request): number {
  return parse(seqSchema, req.params['seq'], 'revision seq in the URL');
}

/** `?limit=&cursor=` of GET /v1/sneks/:id/revisions; the cursor is checked by readRevisions. */
export function parseRevisionsQuery(req: Request): { limit: number; cursor?: string } {
  const query = parse(revisionsQuerySchema, req.query, 'query');
  return { ...query, limit: query.limit ?? DEFAULT_REVISIONS_LIMIT };
}

/** `?after=&limit=` of GET /v1/changes. */
export function parseChangesQuery(req: Request): { after: number; limit: number } {
  const query = parse(changesQuerySchema, req.query, 'query');
  return { after: query.after ?? 0, limit: query.limit ?? DEFAULT_CHANGES_LIMIT };
}

/** The name filter of the prototype's GET /sneks. */
export function parseLegacyQuery(req: Request): { name?: string } {
  return parse(legacyQuerySchema, req.query, 'query');
}

export function parsePutBody(req: Request, id: string): Snek {
  if (!req.is('application/json') && !req.is('+json')) {
    throw new SnekError('UNSUPPORTED_MEDIA_TYPE', `Send the snek as JSON with Content-Type: application/json, not ${req.get('content-type') ?? 'no content type'}.`);
  }
  const body = parse(putBodySchema, req.body, 'snek');
  if (body.id !== undefined && body.id !== id) {
    throw new SnekError('SNEK_INVALID', `The body's id "${body.id}" differs from the URL's id "${id}". Leave id out of the body, or make them match.`);
  }
  return { id, name: body.name, type: body.type, content: body.content };
}

/** The fields of a snek as a person typed them into the gallery's editor. */
export interface SnekFields {
  id: string;
  name: string;
  type: string;
  content: string;
}

/** A message per field, as the editor shows it beside the field. */
export type SnekFieldErrors = Partial<Record<keyof SnekFields, string>>;

const FIELD_LABELS: Record<keyof SnekFields, string> = { id: 'The id', name: 'The name', type: 'The type', content: 'The art' };

/**
 * The editor's check: the same schemas as a PUT's body and URL id, with each problem kept beside its field
 * rather than thrown, so the page can show them all and keep what the person typed.
 */
export function checkSnekFields(fields: SnekFields): { snek: Snek } | { errors: SnekFieldErrors } {
  const errors: SnekFieldErrors = {};
  const add = (field: keyof SnekFields, message: string) => {
    errors[field] = errors[field] ? `${errors[field]}; ${message}` : `${FIELD_LABELS[field]} ${message}`;
  };
  const id = slugSchema.safeParse(fields.id);
  if (!id.success) for (const issue of id.error.issues) add('id', issue.message);
  const body = putBodySchema.safeParse({ name: fields.name, type: fields.type, content: fields.content });
  if (!body.success) for (const issue of body.error.issues) add(issue.path[0] as keyof SnekFields, issue.message);
  if (!id.success || !body.success) return { errors };
  return { snek: { id: id.data, name: body.data.name, type: body.data.type, content: body.data.content } };
}
