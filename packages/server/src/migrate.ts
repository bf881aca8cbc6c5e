import { MAX_CHANGES_LIMIT, SnekError, feedsChanges, keepsChangeLog, keepsSeedLedger, loadsInBulk, replaysChanges, sameSnek, takesSnapshots, writesInBulk, type Change, type Snek, type SnekStore, type StoreChangeLog } from '@snek/core';
import { DigestBuilder, digestStore, everySnek, idsChangedAfter, type StoreDigest } from './store-digest.js';

export interface MigrateOptions {
  source: SnekStore;
  target: SnekStore;
  /** Plugin names, for messages: "sqlite", "postgres". */
  sourceName: string;
  targetName: string;
  /** false: copy the sneks only, as plain writes, even where both stores keep history. */
  history?: boolean | undefined;
  /** Copy over a target that holds sneks or changes not from this source. */
  force?: boolean | undefined;
  /** After the copy, apply the source's new changes until `stop` resolves. */
  follow?: boolean | undefined;
  /** Resolves when a follow should catch up one last time, verify and end. */
  stop?: Promise<void> | undefined;
  /**
   * The ids of the pack sneks the servers of either side seed (`server.packs`): their seed ledger entries are copied
   * first, so that a server started on the target neither brings back a pack snek deleted on the source nor writes
   * to the target while the migration follows.
   */
  packSnekIds?: readonly string[] | undefined;
  /** Sneks or changes per batch read from a snapshot and written in one step; default 5000. Log reads take at most 1000. */
  batch?: number | undefined;
  /** How often a follow reads the source's log when it has no change feed, or the feed is quiet; default 200 ms. */
  pollMs?: number | undefined;
  /** A line for the operator (stderr). */
  say?: ((line: string) => void) | undefined;
  /** Called after each batch, for a progress line. */
  progress?: ((done: { changes: number; sneks: number; seq: number }) => void) | undefined;
}

export interface MigrateReport {
  /** History came along: the source keeps a change log and the target replays changes. */
  history: boolean;
  /** The source seq the target has applied up to (0 without a log). */
  seq: number;
  /** Where this run started: the seq a resumed run found the target at, 0 for a fresh one. */
  resumedAt: number;
  changesApplied: number;
  sneksCopied: number;
  source: StoreDigest;
  target: StoreDigest;
  /** Sneks changed after `seq` (on either side), left out of both digests. */
  leftOut: number;
}

type LogStore = SnekStore & StoreChangeLog;
// A round trip and a commit per 5,000 sneks or changes, as `snek-server import` writes them.
const DEFAULT_BATCH = 5000;
export const MAX_BATCH = 20_000;

/**
 * Copies every snek of `source` into `target`, with history where both keep it, then (with `follow`) applies the
 * source's change log as it grows, and verifies both sides by count and digest. A run that is stopped resumes from
 * where the target's own log stands: replayed changes keep their seqs, so its newest is the source seq applied.
 */
export async function migrateStore(options: MigrateOptions): Promise<MigrateReport> {
  const { source, target, force = false } = options;
  const batch = Math.min(Math.max(options.batch ?? DEFAULT_BATCH, 1), MAX_BATCH);
  const say = options.say ?? (() => undefined);
  if (options.follow && !keepsChangeLog(source)) {
    throw new SnekError('USAGE', `--follow needs a source store with a change log, and the ${options.sourceName} store keeps none. Stop writing to it and migrate without --follow.`);
  }
  const foreign = await foreignTo(source, target);
  if (foreign && !force) {
    throw new SnekError('MIGRATE_TARGET_FOREIGN', `The target ${options.targetName} store ${foreign}, so it is not a copy of this source that a run can resume. Point --to at an empty store, or pass --force to copy over what it holds.`);
  }
  const history = !foreign && options.history !== false && keepsChangeLog(source) && replaysChanges(target);
  if (options.packSnekIds?.length && keepsSeedLedger(source) && keepsSeedLedger(target)) {
    const seeded = await source.seeded(options.packSnekIds);
    if (seeded.length) await target.recordSeeded(seeded);
  }
  const resumedAt = history && keepsChangeLog(target) ? await newestSeq(target) : 0;
  if (resumedAt > 0) say(`resuming: the target holds the source's changes up to seq ${resumedAt}`);
  const counts = { changes: 0, sneks: 0, seq: resumedAt };
  const apply = async (changes: readonly Change[]) => {
    if (history) await (target as SnekStore & { replayChanges(c: readonly Change[]): Promise<void> }).replayChanges(changes);
    else for (const change of changes) await applyAsWrite(target, change);
    counts.changes += changes.length;
    counts.seq = changes.at(-1)?.seq ?? counts.seq;
    options.progress?.(counts);
  };

  // One moment of the source: its seq, and the sneks as of it (a store without snapshots is paged, and its log's
  // newest seq read first, so that a follow re-applies whatever the paging may have missed).
  const view = takesSnapshots(source) ? await source.snapshot() : undefined;
  const sourceDigest = new DigestBuilder();
  const unlogged: Snek[] = [];
  // Ids the snapshot's log has a change of: their sneks came with it, and need no look-up of their own.
  const loggedIds = new Set<string>();
  let seq = 0;
  // The copy is one bulk load of the target (StoreBulkLoad): its indexes are kept once for it; a follow comes after.
  const copy = async () => {
    seq = view?.seq ?? (keepsChangeLog(source) ? await newestSeq(source) : 0);
    if (history) {
      if (view) {
        for await (const changes of readingAhead(view.changes(batch))) {
          for (const change of changes) loggedIds.add(change.id);
          await apply(changes.filter((change) => change.seq > resumedAt));
        }
      }
      else await tail(source as LogStore, resumedAt, seq, batch, apply);
    }
    for await (const sneks of readingAhead(view ? view.sneks(batch) : everySnek(source, batch))) {
      sourceDigest.add(sneks);
      // With history, a snek the log has no change of (written before the source kept one) waits for the end: its
      // write takes a seq of the target's own, above which no replayed change could go.
      if (history) unlogged.push(...(await withoutHistory(source as LogStore, target, sneks.filter((snek) => !loggedIds.has(snek.id)))));
      else await writeAll(target, sneks);
      if (!history) counts.sneks += sneks.length;
      options.progress?.(counts);
    }
  };
  try {
    if (loadsInBulk(target)) await target.bulkLoad(copy);
    else await copy();
  } finally {
    await view?.close();
  }
  counts.seq = Math.max(counts.seq, seq);

  let sourceSide = sourceDigest;
  if (options.follow) {
    const log = source as LogStore;
    await follow(log, counts, { batch, pollMs: options.pollMs ?? 200, stop: options.stop ?? new Promise(() => undefined), say, apply });
    // The last moment of the source, which the target is brought up to before both are compared.
    const last = takesSnapshots(source) ? await source.snapshot() : undefined;
    try {
      const lastSeq = last?.seq ?? (await newestSeq(log));
      await tail(log, counts.seq, lastSeq, batch, apply);
      counts.seq = Math.max(counts.seq, lastSeq);
      sourceSide = new DigestBuilder();
      for await (const sneks of last ? last.sneks(batch) : everySnek(source, batch)) sourceSide.add(sneks);
    } finally {
      await last?.close();
    }
  }
  const leftOut = await changedAfter(source, history ? target : undefined, counts.seq);
  // Those still without a change, and not in the target as they are, now that no replay follows.
  const late = unlogged.length ? await withoutHistory(source as LogStore, target, unlogged) : [];
  for (let i = 0; i < late.length; i += batch) await writeAll(target, late.slice(i, i + batch));
  counts.sneks += late.length;
  return { history, seq: counts.seq, resumedAt, changesApplied: counts.changes, sneksCopied: counts.sneks, source: sourceSide.digest(leftOut), target: await digestStore(target, leftOut), leftOut: leftOut.size };
}

/** The batches of `batches`, each next one read while the caller writes the last: the source's reads and the target's writes overlap. */
async function* readingAhead<T>(batches: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = batches[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const { done, value } = await next;
      if (done) return;
      next = iterator.next();
      yield value;
    }
  } finally {
    // Settle the read in flight before the source is let go of (its snapshot closes after this).
    await next.catch(() => undefined);
    await iterator.return?.();
  }
}

/** Why `target` is not a copy of `source` in the making (it holds writes of its own), or undefined when it is one or empty. */
async function foreignTo(source: SnekStore, target: SnekStore): Promise<string | undefined> {
  const hasSneks = (await target.list({ limit: 1 })).items.length > 0;
  if (!keepsChangeLog(target) || !keepsChangeLog(source) || !replaysChanges(target)) return hasSneks ? 'already holds sneks' : undefined;
  const [newest] = await target.changes({ order: 'desc', limit: 1 });
  if (!newest) return hasSneks ? 'holds sneks but no change log of them' : undefined;
  const [theirs] = await source.changes({ after: newest.seq - 1, limit: 1 });
  if (theirs && theirs.seq === newest.seq && theirs.id === newest.id && theirs.op === newest.op && theirs.at === newest.at) return undefined;
  return `holds changes up to seq ${newest.seq} (${newest.op} ${newest.id} at ${newest.at}) that the source's log does not have`;
}

async function newestSeq(store: LogStore): Promise<number> {
  return (await store.changes({ order: 'desc', limit: 1 }))[0]?.seq ?? 0;
}

/** Applies the source's changes after `after` up to `until`, oldest first, in batches. */
async function tail(source: LogStore, after: number, until: number, batch: number, apply: (changes: readonly Change[]) => Promise<void>): Promise<void> {
  while (after < until) {
    const changes = await source.changes({ after, before: until + 1, limit: Math.min(batch, MAX_CHANGES_LIMIT) });
    if (changes.length === 0) return;
    await apply(changes);
    after = changes.at(-1)!.seq;
  }
}

/** Of `sneks`, those the source's log has no change of (written before it kept one) and the target lacks as they are. */
async function withoutHistory(source: LogStore, target: SnekStore, sneks: readonly Snek[]): Promise<Snek[]> {
  if (sneks.length === 0) return [];
  const logged = new Set((await source.latestChanges(sneks.map((snek) => snek.id))).map((change) => change.id));
  const unlogged = sneks.filter((snek) => !logged.has(snek.id));
  const held = await Promise.all(unlogged.map((snek) => target.get(snek.id)));
  return unlogged.filter((snek, i) => !sameSnek(held[i], snek));
}

async function writeAll(target: SnekStore, sneks: readonly Snek[]): Promise<void> {
  if (writesInBulk(target)) await target.putMany(sneks);
  else for (const snek of sneks) await target.put(snek);
}

/** A change as a plain write, for a target that cannot replay: the target gives it a seq of its own. */
async function applyAsWrite(target: SnekStore, change: Change): Promise<void> {
  const options = change.actor ? { actor: change.actor } : {};
  if (change.op === 'put') await target.put(change.snek!, options);
  else await target.delete(change.id, options);
}

interface FollowSettings {
  batch: number;
  pollMs: number;
  stop: Promise<void>;
  say: (line: string) => void;
  apply: (changes: readonly Change[]) => Promise<void>;
}

/** Applies the source's log as it grows, waking on its change feed or every pollMs, until `stop`; then catches up once more. */
async function follow(source: LogStore, counts: { seq: number }, settings: FollowSettings): Promise<void> {
  let stopped = false;
  let wake: () => void = () => undefined;
  void settings.stop.then(() => {
    stopped = true;
    wake();
  });
  const unwatch = feedsChanges(source) ? await source.watchChanges(() => wake()) : undefined;
  let reported = -1;
  try {
    for (;;) {
      const changes = await source.changes({ after: counts.seq, limit: Math.min(settings.batch, MAX_CHANGES_LIMIT) });
      if (changes.length) {
        await settings.apply(changes);
        continue;
      }
      if (reported !== counts.seq) settings.say(`caught up at seq ${(reported = counts.seq)}; following the source (stop with Ctrl-C or SIGTERM)`);
      if (stopped) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, settings.pollMs);
        wake = () => (clearTimeout(timer), resolve());
      });
    }
  } finally {
    await unwatch?.();
  }
}

/**
 * The ids changed after `seq` in the source's log, or in the target's where it holds the source's seqs (history):
 * left out of the comparison, since the two sides may differ on them by design (writes the copy has not reached,
 * or the target's own after a switch-over).
 */
async function changedAfter(source: SnekStore, target: SnekStore | undefined, seq: number): Promise<Set<string>> {
  const ids = target && keepsChangeLog(target) ? await idsChangedAfter(target, seq) : new Set<string>();
  if (keepsChangeLog(source)) for (const id of await idsChangedAfter(source, seq)) ids.add(id);
  return ids;
}
