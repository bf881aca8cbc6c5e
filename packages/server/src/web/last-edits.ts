import { keepsChangeLog, type SnekStore } from '@snek/core';
import { snekMeta, type PublicActor } from '../history.js';
import { shownTime, type ShownTime } from './relative-time.js';

/** "edited 3 hours ago by Ada": who made a change and when, as a page shows it. */
export interface ShownEdit {
  time: ShownTime;
  /** The actor's public name, "writer (token)" for a token; undefined when the write named nobody. */
  by: string | undefined;
}

export function shownEdit(at: string, by: PublicActor | null, now = Date.now()): ShownEdit {
  return { time: shownTime(at, now), by: by ? (by.kind === 'token' ? `${by.name} (token)` : by.name) : undefined };
}

/** The newest change of each id, from one read of the log for a whole page of cards; empty when the store keeps none. */
export async function lastEdits(store: SnekStore, ids: readonly string[]): Promise<Map<string, ShownEdit>> {
  const now = Date.now();
  const edits = new Map<string, ShownEdit>();
  for (const [id, meta] of await snekMeta(store, ids)) if (meta.updatedAt) edits.set(id, shownEdit(meta.updatedAt, meta.updatedBy, now));
  return edits;
}

/** The newest seq in the log, from which a page's live updates start; undefined when the store keeps none. */
export async function newestSeq(store: SnekStore): Promise<number | undefined> {
  if (!keepsChangeLog(store)) return undefined;
  const [newest] = await store.changes({ order: 'desc', limit: 1 });
  return newest?.seq ?? 0;
}
