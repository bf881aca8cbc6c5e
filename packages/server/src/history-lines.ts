import { z } from 'zod';
import { formatIssues, slugSchema, snekSchema, type Change } from '@snek/core';

const actorSchema = z.strictObject({
  kind: z.enum(['person', 'token']),
  id: z.string().min(1),
  name: z.string().optional(),
  email: z.string().optional(),
  via: z.string().optional(),
});

/** One change of `snek-server export --history`, as it was in the store it came from. */
const changeSchema = z
  .strictObject({
    seq: z.number().int().positive(),
    id: slugSchema,
    op: z.enum(['put', 'delete']),
    snek: snekSchema.optional(),
    actor: actorSchema.nullable(),
    at: z.iso.datetime(),
  })
  .refine((change) => (change.op === 'put' ? change.snek?.id === change.id : change.snek === undefined), { message: 'a put holds the snek of its id, a delete holds none' });

/** True for a `{"change": …}` line of an export with history; anything else is read as a snek. */
export function isHistoryLine(value: unknown): value is { change: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'change' in value;
}

/** The change a history line holds, or why it is not one. */
export function toChange(line: { change: unknown }): Change | string {
  if (Object.keys(line).length !== 1) return 'a history line holds only "change"';
  const parsed = changeSchema.safeParse(line.change);
  return parsed.success ? (parsed.data as Change) : formatIssues(parsed.error);
}
