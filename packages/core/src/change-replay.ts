import { SLUG_PATTERN } from './snek.js';
import { SnekError } from './errors.js';
import type { Change } from './contract.js';

/**
 * Checks a batch for {@link StoreChangeReplay.replayChanges} before a store writes any of it: seqs positive and strictly
 * ascending, ids slugs, a put carrying a snek of its own id and a delete none, `at` an ISO 8601 UTC time. A batch that
 * fails here is refused whole (`SNEK_INVALID`), so no store writes part of it.
 */
export function checkReplayBatch(changes: readonly Change[], store: string): void {
  let previous = 0;
  for (const [i, change] of changes.entries()) {
    const where = `The ${store} store refuses to replay change ${i + 1} of ${changes.length} (seq ${String(change?.seq)})`;
    const bad = (why: string) => new SnekError('SNEK_INVALID', `${where}: ${why}. Nothing of the batch was written.`);
    if (!Number.isSafeInteger(change.seq) || change.seq < 1) throw bad('its seq is not a positive integer');
    if (change.seq <= previous) throw bad(`its seq does not follow seq ${previous}; a batch must be in ascending seq`);
    if (typeof change.id !== 'string' || !SLUG_PATTERN.test(change.id)) throw bad(`its id ${JSON.stringify(change.id)} is not a slug`);
    if (change.op === 'put') {
      const snek = change.snek;
      if (!snek || snek.id !== change.id || ![snek.name, snek.type, snek.content].every((field) => typeof field === 'string')) throw bad('a put must carry a whole snek of its own id');
    } else if (change.op !== 'delete' || change.snek !== undefined) throw bad('it is neither a put nor a delete without a snek');
    if (typeof change.at !== 'string' || Number.isNaN(Date.parse(change.at)) || new Date(change.at).toISOString() !== change.at) throw bad(`its at ${JSON.stringify(change.at)} is not an ISO 8601 UTC time with milliseconds`);
    previous = change.seq;
  }
}

/** The seqs of `changes` at or below `newest`: what a store looks up in its log for {@link changesToReplay}. */
export const seqsAtOrBelow = (changes: readonly Change[], newest: number): number[] => changes.filter((change) => change.seq <= newest).map((change) => change.seq);

/** What a store's log holds at one seq, enough to tell a change replayed before from a write of the store's own. */
export type LoggedAt = Pick<Change, 'seq' | 'id' | 'op' | 'at'>;

/**
 * Splits a checked batch at the log's newest seq: changes above it are to be written; one at or below it must be one
 * the log already holds (same seq, id, op and at), replayed before, or one retention dropped (the log holds nothing at
 * its seq); those are skipped. A change whose seq the log holds with a different write is refused with
 * `REPLAY_CONFLICT`: the store has writes of its own where the replay's history goes, and writing after them would put
 * older writes over newer ones.
 */
export function changesToReplay(changes: readonly Change[], newest: number, logged: readonly LoggedAt[], store: string): Change[] {
  const old = changes.filter((change) => change.seq <= newest);
  if (old.length > 0) {
    const held = new Map(logged.map((entry) => [entry.seq, entry]));
    for (const change of old) {
      const own = held.get(change.seq);
      if (own && (own.id !== change.id || own.op !== change.op || own.at !== change.at)) {
        throw new SnekError('REPLAY_CONFLICT', `The ${store} store holds a write of its own at seq ${change.seq} (${own.op} ${own.id} at ${own.at}) where the replay has ${change.op} ${change.id} at ${change.at}; nothing of the batch was written. The store was written to directly while it was being replayed into: stop writing to it until the replay has caught up.`);
      }
    }
  }
  return changes.filter((change) => change.seq > newest);
}
