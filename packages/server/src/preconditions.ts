import type { Request } from 'express';
import { SnekError, type ConditionalWriteResult, type Snek, type SnekStore, type StoreConditionalWriter, type WriteOptions } from '@snek/core';
import { snekEtag } from './json-response.js';

/** An entity tag as sent: `W/"x"` is weak, `"x"` strong; `opaque` keeps the quotes, as our ETag header does. */
interface EntityTag {
  weak: boolean;
  opaque: string;
}

/** One of If-Match / If-None-Match: `*`, or a list of entity tags (which may be empty). */
type TagCondition = '*' | EntityTag[];

/** The preconditions of a PUT or DELETE (RFC 9110 §13.1.1, §13.1.2); we have no dates, so no If-Unmodified-Since. */
export interface Preconditions {
  ifMatch?: TagCondition;
  ifNoneMatch?: TagCondition;
}

// RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text. A tag may hold a comma.
const ENTITY_TAG = /^[ \t]*(W\/)?("[\x21\x23-\x7e\x80-\xff]*")[ \t]*(?:,|$)/;

function parseCondition(header: string, value: string): TagCondition {
  if (value.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  let rest = value;
  while (rest.trim() !== '') {
    // Empty list elements (", ,") are allowed, as for every #list.
    const empty = /^[ \t]*,/.exec(rest);
    if (empty) {
      rest = rest.slice(empty[0].length);
      continue;
    }
    const match = ENTITY_TAG.exec(rest);
    if (!match) {
      throw new SnekError('REQUEST_INVALID', `The ${header} header ${JSON.stringify(value.slice(0, 100))} is not * or a list of quoted ETags. Send the ETag exactly as GET returned it, quotes included: ${header}: "…".`);
    }
    tags.push({ weak: match[1] !== undefined, opaque: match[2]! });
    rest = rest.slice(match[0].length);
  }
  return tags;
}

/** The request's preconditions, or undefined when it has none; a malformed header is a 400. */
export function readPreconditions(req: Request): Preconditions | undefined {
  const ifMatch = req.headers['if-match'];
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  const preconditions: Preconditions = {};
  if (ifMatch !== undefined) preconditions.ifMatch = parseCondition('If-Match', ifMatch);
  if (ifNoneMatch !== undefined) preconditions.ifNoneMatch = parseCondition('If-None-Match', ifNoneMatch);
  return preconditions;
}

/**
 * The If-Match of a browser form: the one strong ETag its page was made with, in a hidden field. It goes through
 * the header's own parser, so the editor and the API compare tags alike; `*`, a list or a weak tag is refused.
 */
export function ifMatchFromForm(etag: string): Preconditions {
  let condition: TagCondition = [];
  try {
    if (etag.length <= 100) condition = parseCondition('If-Match', etag);
  } catch {
    // Malformed: refused below, with the form's own message.
  }
  if (condition === '*' || condition.length !== 1 || condition[0]!.weak) {
    throw new SnekError('REQUEST_INVALID', 'The form\'s etag field is not the ETag of a snek. Open the snek\'s page again and start from there.');
  }
  return { ifMatch: condition };
}

/**
 * Whether the preconditions hold for `current` (RFC 9110 §13.2.2, steps 1 and 3): If-Match first, with strong
 * comparison, so a weak tag never matches; then If-None-Match, with weak comparison.
 */
export function preconditionsHold(preconditions: Preconditions, current: Snek | undefined): boolean {
  const etag = current && snekEtag(current);
  const { ifMatch, ifNoneMatch } = preconditions;
  if (ifMatch !== undefined) {
    const holds = ifMatch === '*' ? etag !== undefined : ifMatch.some((tag) => !tag.weak && tag.opaque === etag);
    if (!holds) return false;
  }
  if (ifNoneMatch !== undefined) {
    const matches = ifNoneMatch === '*' ? etag !== undefined : ifNoneMatch.some((tag) => tag.opaque === etag);
    if (matches) return false;
  }
  return true;
}

/** The 412 answer: its problem body names the current ETag and the snek there (or null), so a client can say what is in the way. */
export function preconditionFailed(id: string, current: Snek | undefined, preconditions: Preconditions): SnekError {
  const details = { currentEtag: current ? snekEtag(current) : null, current: current ? { id: current.id, name: current.name, type: current.type } : null };
  let message: string;
  if (!current) message = `There is no snek "${id}", so If-Match cannot match. Send If-None-Match: * to create it.`;
  else if (preconditions.ifNoneMatch === '*' && preconditions.ifMatch === undefined) {
    message = `The snek "${id}" already exists (${current.name}, type ${current.type}). To replace it, send If-Match with its ETag ${details.currentEtag}, or no condition.`;
  } else message = `The snek "${id}" has changed: its ETag is now ${details.currentEtag}. GET it again, then retry with If-Match set to that ETag.`;
  return new SnekError('PRECONDITION_FAILED', message, { details });
}

// A refused write re-checks against what the store reports, and tries again when the preconditions still hold (If-Match:
// *, or a list of several ETags). Each try means another write got in first; after this many the client should retry.
const MAX_TRIES = 10;

async function untilSettled<Done>(id: string, preconditions: Preconditions, store: SnekStore, attempt: (expected: Snek | undefined) => Promise<ConditionalWriteResult<Done>>, absentIgnoresPreconditions = false): Promise<Done> {
  let current = await store.get(id);
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    // RFC 9110 §13.2.1: preconditions are ignored where the request without them would not succeed (a DELETE of nothing is a 404).
    if (!(absentIgnoresPreconditions && !current) && !preconditionsHold(preconditions, current)) throw preconditionFailed(id, current, preconditions);
    const result = await attempt(current);
    if (result.ok) return result;
    current = result.current;
  }
  throw new SnekError('STORE_UNAVAILABLE', `The snek "${id}" changed ${MAX_TRIES} times while this write waited to make it. Retry the request.`);
}

/** A PUT with preconditions: written only if the snek is still the one they were checked against. */
export function putWithPreconditions(store: SnekStore & StoreConditionalWriter, snek: Snek, preconditions: Preconditions, options?: WriteOptions): Promise<{ created: boolean }> {
  return untilSettled(snek.id, preconditions, store, (expected) => store.putIf(snek, expected ?? null, options));
}

/** A DELETE with preconditions; resolves false, a 404, when there is no snek, whatever the preconditions say. */
export async function deleteWithPreconditions(store: SnekStore & StoreConditionalWriter, id: string, preconditions: Preconditions, options?: WriteOptions): Promise<boolean> {
  let deleted = false;
  await untilSettled(id, preconditions, store, async (expected): Promise<ConditionalWriteResult<object>> => {
    if (!expected) return { ok: true };
    const result = await store.deleteIf(id, expected, options);
    deleted = result.ok;
    return result;
  }, true);
  return deleted;
}
