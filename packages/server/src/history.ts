import { DEFAULT_LIST_LIMIT, SnekError, keepsChangeLog, type Actor, type BrowsedChange, type Change, type ChangeOp, type Snek, type SnekStore, type StoreChangeLog, type StoreConditionalWriter, type WriteOptions } from '@snek/core';
import { putWithPreconditions, type Preconditions } from './preconditions.js';

// A snek's history, who changed it and when, and undo: all read from the store's change log (core's StoreChangeLog).
// The API's routes and the gallery's pages both call these, so they answer alike.

/** Who made a change, as readers see it: a person's name (else email, else id), or a token's name. */
export interface PublicActor {
  kind: 'person' | 'token';
  name: string;
}

/** One revision of a snek: a change of its id, with the actor in its public view. */
export interface Revision {
  seq: number;
  op: ChangeOp;
  /** The snek as written, for a `put`. */
  snek?: Snek;
  /** When the store committed it: ISO 8601 UTC. */
  at: string;
  by: PublicActor | null;
}

/** A page of {@link readRevisions}: newest first. */
export interface RevisionPage {
  items: Revision[];
  /** Pass back as `cursor` for the older revisions; null on the last page. */
  nextCursor: string | null;
}

/** The newest change of a snek, as its answers carry it: both null when the store keeps no log, or has no change of it. */
export interface SnekMeta {
  updatedAt: string | null;
  updatedBy: PublicActor | null;
}

/** A snek as the API answers it. */
export type SnekAnswer = Snek & SnekMeta;

/** Revisions per page when none is asked for, and the most a page holds. */
export const DEFAULT_REVISIONS_LIMIT = DEFAULT_LIST_LIMIT;
export const MAX_REVISIONS_LIMIT = 500;

export function publicActor(actor: Actor | null): PublicActor | null {
  if (!actor) return null;
  return { kind: actor.kind, name: actor.kind === 'person' ? (actor.name ?? actor.email ?? actor.id) : actor.id };
}

export function revisionOf(change: Change): Revision {
  return { seq: change.seq, op: change.op, ...(change.snek ? { snek: change.snek } : {}), at: change.at, by: publicActor(change.actor) };
}

function changeLogOf(store: SnekStore): SnekStore & StoreChangeLog {
  if (keepsChangeLog(store)) return store;
  throw new SnekError('HISTORY_NOT_KEPT', 'This server\'s store keeps no history: it has no change log, so there are no revisions and no audit log. The built-in stores keep one; a store plugin does by implementing changes() and latestChanges() (StoreChangeLog in @snek/core).');
}

// A revisions cursor is the base64url of "b:" and the seq to page on before: it grants nothing, so it is not signed.
const CURSOR_PREFIX = 'b:';

export function encodeRevisionCursor(beforeSeq: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${beforeSeq}`, 'utf8').toString('base64url');
}

/** The seq a revisions cursor pages before; SNEK_INVALID unless it is exactly what {@link encodeRevisionCursor} gives. */
export function decodeRevisionCursor(cursor: string): number {
  const text = /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const digits = text.startsWith(CURSOR_PREFIX) ? text.slice(CURSOR_PREFIX.length) : '';
  const seq = /^[1-9]\d{0,15}$/.test(digits) ? Number(digits) : NaN;
  if (!Number.isSafeInteger(seq) || encodeRevisionCursor(seq) !== cursor) {
    throw new SnekError('SNEK_INVALID', `The cursor "${cursor.slice(0, 40)}" is not one this server issues for revisions. Pass back the nextCursor of the previous page unchanged, or leave cursor out to start from the newest.`, { details: { field: 'cursor' } });
  }
  return seq;
}

/**
 * A page of the revisions of `id`, newest first: `limit` (default {@link DEFAULT_REVISIONS_LIMIT}, at most
 * {@link MAX_REVISIONS_LIMIT}) and `cursor` (a `nextCursor` of an earlier page). Throws SNEK_NOT_FOUND when the id
 * has no history at all (a first page that is empty), and HISTORY_NOT_KEPT when the store keeps no change log.
 */
export async function readRevisions(store: SnekStore, id: string, page: { limit?: number | undefined; cursor?: string | undefined } = {}): Promise<RevisionPage> {
  const log = changeLogOf(store);
  const limit = Math.min(Math.max(page.limit ?? DEFAULT_REVISIONS_LIMIT, 1), MAX_REVISIONS_LIMIT);
  const before = page.cursor === undefined ? undefined : decodeRevisionCursor(page.cursor);
  // One more than the page, to know whether another page follows.
  const changes = await log.changes({ id, order: 'desc', limit: limit + 1, ...(before === undefined ? {} : { before }) });
  if (changes.length === 0 && before === undefined) throw noHistory(id);
  const items = changes.slice(0, limit).map(revisionOf);
  return { items, nextCursor: changes.length > limit ? encodeRevisionCursor(items.at(-1)!.seq) : null };
}

/** Revision `seq` of `id`; SNEK_NOT_FOUND when that seq is not a change of that id (or retention has dropped it). */
export async function readRevision(store: SnekStore, id: string, seq: number): Promise<Revision> {
  const [change] = await changeLogOf(store).changes({ id, after: seq - 1, before: seq + 1, limit: 1 });
  if (!change || change.seq !== seq || change.id !== id) {
    throw new SnekError('SNEK_NOT_FOUND', `The snek "${id}" has no revision ${seq}. List its revisions with GET /v1/sneks/${id}/revisions.`);
  }
  return revisionOf(change);
}

/**
 * Makes revision `seq` of `id` current again, as a PUT of that revision's snek would: with `preconditions`
 * (If-Match against the current snek, If-None-Match: * for a deleted one) checked and written in one atomic step,
 * and `options.actor` recorded as who did it. A deleted snek can be restored from any of its `put` revisions; a
 * `delete` revision cannot (REQUEST_INVALID). `writer` is the store with conditional writes
 * (`withConditionalWrites(store)`), `store` the one whose change log is read. Resolves with the snek as now
 * answered, and `created` when the id had no snek.
 */
export async function restoreRevision(writer: SnekStore & StoreConditionalWriter, store: SnekStore, id: string, seq: number, preconditions: Preconditions | undefined, options: WriteOptions = {}): Promise<{ snek: SnekAnswer; created: boolean }> {
  const revision = await readRevision(store, id, seq);
  if (!revision.snek) {
    throw new SnekError('REQUEST_INVALID', `Revision ${seq} of "${id}" is its delete, which has no snek to restore. Restore one of its put revisions (GET /v1/sneks/${id}/revisions lists them).`, { details: { op: 'delete' } });
  }
  const snek = revision.snek;
  const { created } = preconditions ? await putWithPreconditions(writer, snek, preconditions, options) : await writer.put(snek, options);
  return { snek: await withMeta(store, snek), created };
}

/** The {@link SnekMeta} of each of `ids` that has a change, from one `latestChanges` call; none without a change log. */
export async function snekMeta(store: SnekStore, ids: readonly string[]): Promise<Map<string, SnekMeta>> {
  const meta = new Map<string, SnekMeta>();
  if (!keepsChangeLog(store) || ids.length === 0) return meta;
  for (const change of await store.latestChanges(ids)) meta.set(change.id, { updatedAt: change.at, updatedBy: publicActor(change.actor) });
  return meta;
}

/** The snek with its `updatedAt` and `updatedBy`: the newest change of its id. */
export async function withMeta(store: SnekStore, snek: Snek): Promise<SnekAnswer> {
  if (!keepsChangeLog(store)) return answerOf(snek, undefined);
  const [change] = await store.latestChanges([snek.id]);
  return answerOf(snek, change?.id === snek.id ? change : undefined);
}

/**
 * One shape for every answer, written out: objects made by spreading two others cost a list page about a tenth of
 * its time to build and to stringify (profiled under load).
 */
function answerOf(snek: Snek, change: BrowsedChange | undefined): SnekAnswer {
  return { id: snek.id, name: snek.name, type: snek.type, content: snek.content, updatedAt: change ? change.at : null, updatedBy: change ? publicActor(change.actor) : null };
}

/**
 * Every snek of a page with its meta: from `latest` when the store read each one's newest change with the page,
 * else from one `latestChanges` call for the whole page.
 */
export async function pageWithMeta(store: SnekStore, sneks: readonly Snek[], read?: ReadonlyArray<BrowsedChange | null>): Promise<SnekAnswer[]> {
  if (read?.length === sneks.length) return sneks.map((snek, i) => answerOf(snek, read[i] ?? undefined));
  if (!keepsChangeLog(store) || sneks.length === 0) return sneks.map((snek) => answerOf(snek, undefined));
  const latest = new Map<string, Change>();
  for (const change of await store.latestChanges(sneks.map((snek) => snek.id))) latest.set(change.id, change);
  return sneks.map((snek) => answerOf(snek, latest.get(snek.id)));
}

/** A page of the whole change log for the audit log (admin): oldest first, full actors. */
export async function readChanges(store: SnekStore, page: { after: number; limit: number }): Promise<{ items: Change[]; next: number }> {
  const items = await changeLogOf(store).changes({ after: page.after, limit: page.limit, order: 'asc' });
  return { items, next: items.at(-1)?.seq ?? page.after };
}

function noHistory(id: string): SnekError {
  return new SnekError('SNEK_NOT_FOUND', `The snek "${id}" has no history: no change of it is kept. List the sneks with GET /v1/sneks.`);
}
