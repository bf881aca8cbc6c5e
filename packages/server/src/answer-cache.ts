import type { ChangeTail } from './change-tail.js';

/** An answer as sent: its bytes, and the ETag it carries, if any. */
export interface CachedAnswer {
  body: Buffer;
  etag?: string;
}

/** How much the cache of answers holds at most: answers, and bytes of them. */
const MAX_ANSWERS = 1024;
const MAX_BYTES = 16 * 1024 * 1024;

/**
 * The bytes of recent answers of GET one snek and of list pages (`?type=`), by what was asked: under load many readers
 * ask for the same, and building a snek's answer with its meta and stringifying it is much of what a request costs
 * (50 of them, for a page). Every change drops the lot: a change the tail reads, and each write of this process as it
 * returns (read-your-writes, as the read cache does). Served only while the tail has read the log within
 * `maxStaleMs`, as the read cache is; an answer read while a change was applied does not fill.
 */
export class AnswerCache {
  private readonly answers = new Map<string, CachedAnswer>();
  private bytes = 0;
  /** Bumped by every change: a read that began under another generation may be older than the change. */
  private generation = 0;

  constructor(
    private readonly tail: ChangeTail,
    private readonly maxStaleMs: number,
  ) {
    tail.subscribe({ change: () => this.clear() });
  }

  /** The answer to `key`, while the tail is fresh. */
  get(key: string): CachedAnswer | undefined {
    return this.fresh() ? this.answers.get(key) : undefined;
  }

  /** Where a read of the store begins: pass it to {@link fill} with what it read. */
  begin(): number {
    return this.generation;
  }

  fill(key: string, since: number, answer: CachedAnswer): void {
    if (since !== this.generation || this.tail.lastSeq === undefined || !this.fresh()) return;
    if (this.answers.size >= MAX_ANSWERS || this.bytes + answer.body.length > MAX_BYTES) this.drop();
    this.answers.set(key, answer);
    this.bytes += answer.body.length;
  }

  /** A change was made or seen: no answer held may still be true. */
  clear(): void {
    this.generation++;
    this.drop();
  }

  private drop(): void {
    this.answers.clear();
    this.bytes = 0;
  }

  private fresh(): boolean {
    return this.maxStaleMs > 0 && Date.now() - this.tail.lastReadStartedAt <= this.maxStaleMs;
  }
}
