import type { Logger } from 'pino';
import { MAX_CHANGES_LIMIT, feedsChanges, type Change, type SnekStore, type StoreChangeFeed, type StoreChangeLog } from '@snek/core';

export interface ChangeTailOptions {
  store: SnekStore & StoreChangeLog;
  /** How long it waits between reads when nothing wakes it: well under server.cache.maxStaleMs. */
  pollMs: number;
  logger: Logger;
}

export interface ChangeSubscriber {
  /** Each change once, in seq order, as soon as the tail has read it. */
  change(change: Change): void;
  /** The tail stopped (the server is shutting down): no change follows. */
  end?(): void;
}

// A store that keeps failing is asked again after at most this long, and its failure logged at most this often.
const MAX_BACKOFF_MS = 5_000;
const LOG_EVERY_MS = 30_000;

/**
 * The server's one reader of the store's change log. It reads `changes({ after })` until it has caught up whenever
 * something wakes it (the store's change feed, this process's own writes) and at least every `pollMs`, one read at a
 * time, and hands each change to its subscribers once, in seq order. A failing store makes it back off and retry;
 * it never throws. Its timers do not keep the process alive.
 */
export class ChangeTail {
  /**
   * `Date.now()` when its last successful catch-up read started; 0 before the first. Every change committed before
   * then has been delivered, so the read cache may trust what it holds only while this is recent.
   */
  lastReadStartedAt = 0;
  /** The seq of the last change delivered (at start, the newest in the log); undefined until the first read. */
  lastSeq: number | undefined;

  private readonly subscribers = new Set<ChangeSubscriber>();
  private reading: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private lastLoggedAt = 0;
  private closed = false;
  private stopFeed: Promise<(() => Promise<void>) | undefined> | undefined;
  // Waits between attempts to start the feed, which close() cuts short.
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly options: ChangeTailOptions) {}

  /** Reads where the log ends (retrying in the background if the store fails) and starts listening to its feed. */
  async start(): Promise<void> {
    if (feedsChanges(this.options.store)) this.stopFeed = this.listen(this.options.store);
    this.wake();
    await this.reading;
  }

  /** Reads the log now, or once more right after the read in progress. */
  wake(): void {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.reading = this.pass().finally(() => (this.reading = undefined));
  }

  /** Whether every change committed up to `maxStaleMs` ago has been delivered: what a cache may trust. 0: never. */
  isFresh(maxStaleMs: number): boolean {
    return maxStaleMs > 0 && Date.now() - this.lastReadStartedAt <= maxStaleMs;
  }

  subscribe(subscriber: ChangeSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => void this.subscribers.delete(subscriber);
  }

  /** Stops reading and listening, waits for the read in progress, and ends every subscriber. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    for (const cut of this.sleepers) cut();
    // A feed still trying to start is stopped by listen() itself once it does.
    let timer: NodeJS.Timeout | undefined;
    const stop = await Promise.race([this.stopFeed, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 2_000).unref()))]);
    clearTimeout(timer);
    await Promise.all([this.reading, stop?.().catch((error: unknown) => this.options.logger.warn({ err: error }, 'the change feed did not stop cleanly'))]);
    for (const subscriber of this.subscribers) subscriber.end?.();
    this.subscribers.clear();
  }

  private async pass(): Promise<void> {
    let delay = this.options.pollMs;
    try {
      do {
        this.again = false;
        await this.catchUp();
      } while (this.again && !this.closed);
      if (this.failures) this.options.logger.info(`the change log answers again after ${this.failures} failed reads`);
      this.failures = 0;
    } catch (error) {
      this.failures++;
      delay = Math.min(this.options.pollMs * 2 ** this.failures, MAX_BACKOFF_MS);
      if (Date.now() - this.lastLoggedAt >= LOG_EVERY_MS) {
        this.lastLoggedAt = Date.now();
        this.options.logger.warn({ err: error, failures: this.failures }, `reading the change log failed: live updates wait, and single sneks are read from the store, not the cache, until it answers; retrying in ${delay} ms`);
      }
    }
    if (!this.closed) this.timer = setTimeout(() => this.wake(), delay).unref();
  }

  private async catchUp(): Promise<void> {
    const { store } = this.options;
    if (this.lastSeq === undefined) {
      const startedAt = Date.now();
      const [newest] = await store.changes({ order: 'desc', limit: 1 });
      this.lastSeq = newest?.seq ?? 0;
      this.lastReadStartedAt = startedAt;
      return;
    }
    for (;;) {
      const startedAt = Date.now();
      const page = await store.changes({ after: this.lastSeq, limit: MAX_CHANGES_LIMIT });
      for (const change of page) this.deliver(change);
      // A short page is the end of the log as it was when this read started.
      if (page.length < MAX_CHANGES_LIMIT) {
        this.lastReadStartedAt = startedAt;
        return;
      }
    }
  }

  private deliver(change: Change): void {
    if (change.seq <= this.lastSeq!) return;
    this.lastSeq = change.seq;
    for (const subscriber of this.subscribers) {
      try {
        subscriber.change(change);
      } catch (error) {
        this.options.logger.error({ err: error, seq: change.seq }, 'a subscriber of the change tail failed');
      }
    }
  }

  /** The store's feed, retried until it listens; the function that stops it, or undefined once closed. */
  private async listen(store: StoreChangeFeed): Promise<(() => Promise<void>) | undefined> {
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        const stop = await store.watchChanges(() => this.wake());
        if (!this.closed) return stop;
        await stop();
        return undefined;
      } catch (error) {
        const delay = Math.min(this.options.pollMs * 2 ** attempt, MAX_BACKOFF_MS);
        if (attempt === 1) this.options.logger.warn({ err: error }, `the store's change feed does not listen: the change log is polled every ${this.options.pollMs} ms meanwhile; retrying`);
        await this.sleep(delay);
      }
    }
    return undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms).unref();
      this.sleepers.add(done);
    });
  }
}
