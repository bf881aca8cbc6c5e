// Stand-in for ../history.ts (branch `api`), with the same signatures; replaced by it when that branch merges.
import { keepsChangeLog, SnekError, type Actor, type Change, type Snek, type SnekStore, type StoreChangeLog, type StoreConditionalWriter, type WriteOptions } from '@snek/core';
import { putWithPreconditions, type Preconditions } from '../preconditions.js';

export interface PublicActor {
  kind: 'person' | 'token';
  name: string;
}

export interface Revision {
  seq: number;
  op: 'put' | 'delete';
  snek?: Snek;
  at: string;
  by: PublicActor | null;
}

export function publicActor(actor: Actor | null): PublicActor | null {
  if (!actor) return null;
  return { kind: actor.kind, name: actor.kind === 'person' ? (actor.name ?? actor.email ?? actor.id) : actor.id };
}

function revisionOf(change: Change): Revision {
  return { seq: change.seq, op: change.op, ...(change.snek ? { snek: change.snek } : {}), at: change.at, by: publicActor(change.actor) };
}

function changeLogOf(store: SnekStore): SnekStore & StoreChangeLog {
  if (!keepsChangeLog(store)) throw new SnekError('SNEK_NOT_FOUND', 'This server\'s store keeps no history of its sneks.');
  return store;
}

export async function readRevisions(store: SnekStore, id: string, page: { limit: number; cursor?: string | undefined }): Promise<{ items: Revision[]; nextCursor: string | null }> {
  const before = page.cursor === undefined ? undefined : Number(page.cursor);
  if (before !== undefined && !(Number.isSafeInteger(before) && before > 0)) throw new SnekError('REQUEST_INVALID', 'The cursor is not one this server gave out. Start again from the first page.');
  const changes = await changeLogOf(store).changes({ id, order: 'desc', limit: page.limit + 1, ...(before !== undefined ? { before } : {}) });
  if (changes.length === 0 && before === undefined) throw new SnekError('SNEK_NOT_FOUND', `There is no history of a snek "${id}".`);
  const items = changes.slice(0, page.limit).map(revisionOf);
  return { items, nextCursor: changes.length > page.limit ? String(items.at(-1)!.seq) : null };
}

export async function readRevision(store: SnekStore, id: string, seq: number): Promise<Revision> {
  const [change] = await changeLogOf(store).changes({ id, after: seq - 1, before: seq + 1, limit: 1 });
  if (!change) throw new SnekError('SNEK_NOT_FOUND', `The snek "${id}" has no revision ${seq}.`);
  return revisionOf(change);
}

export async function restoreRevision(writer: SnekStore & StoreConditionalWriter, store: SnekStore, id: string, seq: number, preconditions: Preconditions, options: WriteOptions): Promise<{ created: boolean; snek: Snek }> {
  const revision = await readRevision(store, id, seq);
  if (!revision.snek) throw new SnekError('REQUEST_INVALID', `Revision ${seq} of "${id}" is its delete, which has no snek to restore. Restore the revision before it.`);
  const { created } = await putWithPreconditions(writer, revision.snek, preconditions, options);
  return { created, snek: revision.snek };
}
