import { keepsChangeLog, type Change, type SnekStore } from '@snek/core';
import { publicActor, type PublicActor } from './history-stand-in.js';
import { shownTime, type ShownTime } from './relative-time.js';

/** "edited 3 hours ago by Ada": a change as a page shows who made it and when. */
export interface ShownChange {
  op: Change['op'];
  time: ShownTime;
  /** The actor's public name, "writer (token)" for a token; undefined when the write named nobody. */
  by: string | undefined;
}

export function actorLabel(by: PublicActor | null): string | undefined {
  if (!by) return undefined;
  return by.kind === 'token' ? `${by.name} (token)` : by.name;
}

export function shownChange(change: { op: Change['op']; at: string; by: PublicActor | null }, now = Date.now()): ShownChange {
  return { op: change.op, time: shownTime(change.at, now), by: actorLabel(change.by) };
}

/** The newest change of each id, in one read of the log for a whole page of cards; empty when the store keeps none. */
export async function lastChanges(store: SnekStore, ids: readonly string[]): Promise<Map<string, ShownChange>> {
  if (!keepsChangeLog(store) || ids.length === 0) return new Map();
  const now = Date.now();
  const changes = await store.latestChanges(ids);
  return new Map(changes.map((change) => [change.id, shownChange({ op: change.op, at: change.at, by: publicActor(change.actor) }, now)]));
}

/** The newest seq in the log, from which a page's live updates start; undefined when the store keeps no log. */
export async function newestSeq(store: SnekStore): Promise<number | undefined> {
  if (!keepsChangeLog(store)) return undefined;
  const [newest] = await store.changes({ order: 'desc', limit: 1 });
  return newest?.seq ?? 0;
}
