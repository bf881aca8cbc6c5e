import { SLUG_PATTERN, type Actor, type Change, type Snek } from '@snek/core';

/** The fields of an actor that the journal keeps, so that what is read back is what was written. */
export function journaledActor(actor: Actor | undefined): Actor | null {
  if (!actor) return null;
  const kept: Actor = { kind: actor.kind, id: actor.id };
  for (const field of ['name', 'email', 'via'] as const) if (typeof actor[field] === 'string') kept[field] = actor[field];
  return kept;
}

const isString = (value: unknown): value is string => typeof value === 'string';

function readSnek(value: unknown): Snek | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, name, type, content } = value as Record<string, unknown>;
  return isString(id) && isString(name) && isString(type) && isString(content) ? { id, name, type, content } : undefined;
}

function readActor(value: unknown): Actor | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'object') return undefined;
  const { kind, id, name, email, via } = value as Record<string, unknown>;
  if ((kind !== 'person' && kind !== 'token') || !isString(id)) return undefined;
  if (![name, email, via].every((field) => field === undefined || isString(field))) return undefined;
  return journaledActor({ kind, id, name: name as string | undefined, email: email as string | undefined, via: via as string | undefined });
}

/** One journal line as a change, or why it is not one. */
export function parseChange(text: string): { change: Change } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null) return { problem: 'not a JSON object' };
  const { seq, id, op, snek, actor, at } = value as Record<string, unknown>;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return { problem: 'its seq is not a positive integer' };
  if (!isString(id) || !SLUG_PATTERN.test(id)) return { problem: 'its id is not a slug' };
  if (!isString(at)) return { problem: 'its at is not a time' };
  const who = readActor(actor);
  if (who === undefined) return { problem: 'its actor is not one' };
  if (op === 'delete') return { change: { seq, id, op, actor: who, at } };
  const written = readSnek(snek);
  if (op !== 'put' || !written || written.id !== id) return { problem: 'neither a put of a snek of its id nor a delete' };
  return { change: { seq, id, op, snek: written, actor: who, at } };
}
