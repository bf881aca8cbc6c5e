import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { changesToReplay, seqsAtOrBelow, type Actor, type Change, type Snek, type SnekIndex } from '@snek/core';
import { syncDir, unlinkIfThere, writeTempBeside } from './atomic-file.js';
import type { ChangeJournal } from './change-journal.js';
import { journaledActor } from './journal-line.js';
import type { RetainedChanges } from './retained-changes.js';

// Writes committed together at most: a bulk load does not hold up other writes for long.
const MAX_BATCH = 512;
// Record files written at once: enough to keep the disk busy, few enough to stay under the fd limit.
const FILE_CONCURRENCY = 64;
// The journal is compacted once retention has dropped as many changes as it keeps, and at least this many.
const COMPACT_MIN_DROPPED = 256;

/** What a write does, decided at its turn from the snek its id holds then: put `write`, delete (`null`), or nothing. */
export interface Decision<R> {
  write?: Snek | null;
  result: R;
}

export interface Write<R> {
  id: string;
  decide(current: Snek | undefined): Decision<R>;
}

interface Queued {
  write: Write<unknown>;
  actor: Actor | null;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

/** Changes made elsewhere, committed as a batch of their own with their own seqs (replayChanges). */
interface QueuedReplay {
  replay: readonly Change[];
  resolve(): void;
  reject(error: unknown): void;
}

export interface CommitParts {
  index: SnekIndex<Snek>;
  log: RetainedChanges;
  journal: ChangeJournal;
  /** The seq of the newest change committed. */
  seq: number;
  /** The record file of an id; ids are checked before they are queued. */
  fileOf(id: string): string;
}

/**
 * Every write of the fs store goes through here, in batches: what is queued while a batch commits is the next one,
 * so concurrent writes share one fsync. A batch commits in three steps, each safe to crash in:
 * 1. each snek it puts goes to a temp file beside its record (a full disk fails here, changing nothing);
 * 2. its changes are appended to the journal and fsynced: the commit point, and the one fsync of the batch;
 * 3. temp files are renamed over the records and deleted records unlinked; then the index and the log in memory
 *    take the batch, together, and its writes resolve.
 * A crash before 2 leaves temp files, swept at open. After it, open redoes from the journal whatever of 3 did not
 * reach the disk: a record file is not fsynced then, since the journal always holds the newest change of every id;
 * a clean close fsyncs those written since open before its mark vouches for them (syncRecords).
 */
export class CommitQueue {
  private queue: Array<Queued | QueuedReplay> = [];
  private running: Promise<void> | undefined;
  private compactAt = 0;
  /** Records that could not be replaced after their change was committed: open rewrites them from the journal. */
  recordsBehind = 0;
  /** Record files renamed or unlinked since open, not yet fsynced (syncRecords); each folder they are in. */
  private readonly unsynced = new Set<string>();
  private readonly unsyncedFolders = new Set<string>();

  constructor(private readonly parts: CommitParts) {}

  /** The seq of the newest change committed. */
  get lastSeq(): number {
    return this.parts.seq;
  }

  submit(writes: ReadonlyArray<Write<unknown>>, actor: Actor | undefined): Promise<unknown[]> {
    const who = journaledActor(actor);
    const done = Promise.all(writes.map((write) => new Promise<unknown>((resolve, reject) => this.queue.push({ write, actor: who, resolve, reject }))));
    this.start();
    return done;
  }

  /** Queues a replay; it commits alone, in its turn, so the check of its seqs and its writes see no other write between. */
  replay(changes: readonly Change[]): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.queue.push({ replay: changes, resolve, reject }));
    this.start();
    return done;
  }

  /** Resolves once every write queued so far has settled. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private start(): void {
    if (this.running || this.queue.length === 0) return;
    this.running = (async () => {
      while (this.queue.length > 0) {
        const first = this.queue[0]!;
        if ('replay' in first) {
          this.queue.shift();
          await this.commitReplay(first.replay).then(first.resolve, first.reject);
          continue;
        }
        const end = this.queue.findIndex((queued) => 'replay' in queued);
        const batch = this.queue.splice(0, Math.min(MAX_BATCH, end === -1 ? Infinity : end)) as Queued[];
        // Settling a write twice does nothing: this reaches only those a bug left unsettled.
        await this.commit(batch).catch((error: unknown) => batch.forEach((queued) => queued.reject(error)));
      }
    })().finally(() => {
      this.running = undefined;
      this.start();
    });
  }

  private async commit(batch: Queued[]): Promise<void> {
    const { index } = this.parts;
    const staged = new Map<string, Snek | null>();
    const changes: Change[] = [];
    const at = new Date().toISOString();
    const results = batch.map(({ write, actor }) => {
      const current = staged.has(write.id) ? (staged.get(write.id) ?? undefined) : index.get(write.id);
      const { write: next, result } = write.decide(current);
      if (next === undefined || (next === null && current === undefined)) return result;
      const seq = this.parts.seq + changes.length + 1;
      changes.push(next ? { seq, id: write.id, op: 'put', snek: next, actor, at } : { seq, id: write.id, op: 'delete', actor, at });
      staged.set(write.id, next);
      return result;
    });
    if (changes.length > 0) {
      try {
        await this.write(staged, changes);
      } catch (error) {
        for (const queued of batch) queued.reject(error);
        return;
      }
    }
    batch.forEach((queued, i) => queued.resolve(results[i]));
    await this.compactIfDue();
  }

  /** A replayed batch: those of its changes above the newest seq, with their own seqs, in the three steps of any batch. */
  private async commitReplay(replayed: readonly Change[]): Promise<void> {
    const { log } = this.parts;
    const newest = this.parts.seq;
    const logged = seqsAtOrBelow(replayed, newest).flatMap((seq) => log.at(seq) ?? []);
    const changes = changesToReplay(replayed, newest, logged, 'fs').map((change): Change => {
      const actor = journaledActor(change.actor ?? undefined);
      return change.op === 'put' ? { seq: change.seq, id: change.id, op: 'put', snek: { id: change.id, name: change.snek!.name, type: change.snek!.type, content: change.snek!.content }, actor, at: change.at } : { seq: change.seq, id: change.id, op: 'delete', actor, at: change.at };
    });
    if (changes.length === 0) return;
    const staged = new Map<string, Snek | null>();
    for (const change of changes) staged.set(change.id, change.snek ?? null);
    await this.write(staged, changes);
    await this.compactIfDue();
  }

  /**
   * Steps 1 to 3 for `changes`, whose seqs follow the newest, and `staged`, each id's snek after them (null: deleted).
   * Rejects, having changed nothing, when a step before the commit point fails.
   */
  private async write(staged: ReadonlyMap<string, Snek | null>, changes: readonly Change[]): Promise<void> {
    const { index, journal, log, fileOf } = this.parts;
    const temps = new Map<string, string>();
    try {
      await eachLimited([...staged].filter(([, snek]) => snek), async ([id, snek]) => void temps.set(id, await writeTempBeside(fileOf(id), JSON.stringify(snek), { sync: false })));
      await journal.append(changes);
    } catch (error) {
      await Promise.all([...temps.values()].map((temp) => unlink(temp).catch(() => undefined)));
      throw error;
    }
    this.parts.seq = changes.at(-1)!.seq;
    // Committed: whatever fails from here on, the next open redoes it from the journal.
    await eachLimited([...staged], async ([id, snek]) => {
      try {
        const file = fileOf(id);
        this.unsyncedFolders.add(path.dirname(file));
        if (snek) {
          await rename(temps.get(id)!, file);
          this.unsynced.add(file);
        } else {
          await unlinkIfThere(file);
          this.unsynced.delete(file);
        }
      } catch {
        this.recordsBehind++;
      }
    });
    // Each id's newest change in the batch: its place in the index's `updated` order.
    const seqs = new Map(changes.map((change) => [change.id, change.seq]));
    for (const [id, snek] of staged) {
      if (snek) index.set(snek, seqs.get(id));
      else index.delete(id);
    }
    for (const change of changes) log.add(change);
  }

  /**
   * Makes every record renamed or unlinked since open durable: each file fsynced, then its folder. A clean close
   * calls it before its mark, which tells the next open to trust the records the journal names: after a power cut,
   * a record only renamed might be empty or old. Rejects when one fails (then no mark is written).
   */
  async syncRecords(): Promise<void> {
    await eachLimited([...this.unsynced], async (file) => {
      let handle;
      try {
        handle = await open(file, 'r');
      } catch (error) {
        // Removed by hand since: open reads what is there.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
    for (const folder of this.unsyncedFolders) await syncDir(folder);
    this.unsynced.clear();
    this.unsyncedFolders.clear();
  }

  /** Rewrites the journal with only what retention keeps, once it has dropped as many changes as it keeps. */
  async compactIfDue(): Promise<void> {
    const { journal, log } = this.parts;
    if (journal.lines < this.compactAt || journal.lines - log.size < Math.max(log.size, COMPACT_MIN_DROPPED)) return;
    try {
      await journal.rewrite(log.all());
    } catch {
      // The journal is as it was; try again once it has grown as much again.
      this.compactAt = journal.lines * 2;
    }
  }
}

/** Runs `task` on each item, at most FILE_CONCURRENCY at once; rejects with the first error once all have settled. */
async function eachLimited<T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      try {
        await task(items[next++]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FILE_CONCURRENCY, items.length) }, worker));
  if (failure) throw failure.error;
}
