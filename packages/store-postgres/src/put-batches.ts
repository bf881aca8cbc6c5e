import type { Snek } from '@snek/core';

/** A put waiting for its batch: the snek, its actor as the log's jsonb text, and its caller. */
export interface QueuedPut {
  snek: Snek;
  actor: string | null;
  resolve(result: { created: boolean }): void;
  reject(error: unknown): void;
}

/** The most puts, and bytes of art, one batch statement carries: it stays well inside statementTimeout. */
const MAX_PUTS = 256;
const MAX_BYTES = 4 * 1024 * 1024;
/**
 * Batches in flight at once: the second writes its rows while the first commits, and waits only for the counter.
 * Each batch locks its rows in id order and the counter last, as every write does, so two cannot deadlock.
 */
const IN_FLIGHT = 2;

/**
 * Group commit for puts. Every write takes the change counter's row lock until its commit (so seqs become visible in
 * commit order), so concurrent writes commit one after another, each waiting for the one before to flush its WAL.
 * Instead, the puts queued while a batch commits go together as the next one: one statement, one lock, one flush.
 * A batch holds an id once, and a new batch leaves out every id of a batch in flight (that put waits for a later
 * batch), so puts of one id commit, and log, in the order they were made.
 */
export class PutBatches {
  private queue: QueuedPut[] = [];
  private readonly running = new Set<Promise<void>>();
  /** The ids of the batches in flight, until each has settled every put (a fallback's retries too). */
  private readonly busy = new Set<string>();
  private scheduled = false;

  /** `write` settles every put it is given. */
  constructor(private readonly write: (puts: QueuedPut[]) => Promise<void>) {}

  add(snek: Snek, actor: string | null): Promise<{ created: boolean }> {
    const done = new Promise<{ created: boolean }>((resolve, reject) => this.queue.push({ snek, actor, resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      // A microtask first, so that puts made in the same turn share the first batch.
      queueMicrotask(() => {
        this.scheduled = false;
        this.pump();
      });
    }
    return done;
  }

  /** Resolves once every put queued so far has settled. */
  async idle(): Promise<void> {
    while (this.scheduled || this.running.size > 0) await Promise.all([...this.running, Promise.resolve()]);
  }

  /** Starts batches while there is room in flight and a queued put whose id is not in flight. */
  private pump(): void {
    while (this.running.size < IN_FLIGHT) {
      const batch = this.nextBatch();
      if (batch.length === 0) return;
      for (const put of batch) this.busy.add(put.snek.id);
      const run: Promise<void> = this.write(batch)
        .catch((error: unknown) => batch.forEach((put) => put.reject(error)))
        .finally(() => {
          for (const put of batch) this.busy.delete(put.snek.id);
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }

  private nextBatch(): QueuedPut[] {
    const seen = new Set<string>();
    const taken: QueuedPut[] = [];
    const left: QueuedPut[] = [];
    let bytes = 0;
    let at = 0;
    for (; at < this.queue.length && taken.length < MAX_PUTS; at++) {
      const put = this.queue[at]!;
      const { id } = put.snek;
      // An id in flight, or met earlier in this walk (taken or left), waits: so does every later put of it.
      const waits = seen.has(id) || this.busy.has(id) || (taken.length > 0 && bytes + put.snek.content.length > MAX_BYTES);
      seen.add(id);
      if (waits) {
        left.push(put);
        continue;
      }
      bytes += put.snek.content.length;
      taken.push(put);
    }
    this.queue = left.concat(this.queue.slice(at));
    return taken.sort((a, b) => (a.snek.id < b.snek.id ? -1 : a.snek.id > b.snek.id ? 1 : 0));
  }
}
