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
 * A batch holds an id once, so a later put of an id goes in a later batch, which waits for the row lock of the
 * earlier one: puts of one id commit in the order they were made.
 */
export class PutBatches {
  private queue: QueuedPut[] = [];
  private readonly running = new Set<Promise<void>>();

  /** `write` settles every put it is given. */
  constructor(private readonly write: (puts: QueuedPut[]) => Promise<void>) {}

  add(snek: Snek, actor: string | null): Promise<{ created: boolean }> {
    const done = new Promise<{ created: boolean }>((resolve, reject) => this.queue.push({ snek, actor, resolve, reject }));
    if (this.running.size < IN_FLIGHT) {
      const drain = this.drain().finally(() => this.running.delete(drain));
      this.running.add(drain);
    }
    return done;
  }

  /** Resolves once every put queued so far has settled. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  private async drain(): Promise<void> {
    // A microtask first, so that puts made in the same turn share the first batch.
    await Promise.resolve();
    while (this.queue.length > 0) await this.write(this.nextBatch());
  }

  private nextBatch(): QueuedPut[] {
    const ids = new Set<string>();
    let bytes = 0;
    let taken = 0;
    for (const put of this.queue) {
      if (taken === MAX_PUTS || ids.has(put.snek.id) || (taken > 0 && bytes + put.snek.content.length > MAX_BYTES)) break;
      ids.add(put.snek.id);
      bytes += put.snek.content.length;
      taken++;
    }
    return this.queue.splice(0, taken).sort((a, b) => (a.snek.id < b.snek.id ? -1 : a.snek.id > b.snek.id ? 1 : 0));
  }
}
