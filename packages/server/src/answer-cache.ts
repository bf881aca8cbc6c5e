import type { ChangeTail } from './change-tail.js';

/** An answer as sent: its bytes, and the ETag it carries, if any. */
export interface CachedAnswer {
  body: Buffer;
  etag?: string;
}

/** How much the cache of answers holds at most: answers, and bytes of them. */
export interface AnswerCacheLimits {
  maxAnswers: number;
  maxBytes: number;
}

const DEFAULT_LIMITS: AnswerCacheLimits = { maxAnswers: 1024, maxBytes: 16 * 1024 * 1024 };

/**
 * The bytes of recent answers of GET one snek and of list pages (sorted, searched, `?type=`), by what was asked: under load many readers
 * ask for the same, and building a snek's answer with its meta and stringifying it is much of what a request costs
 * (50 of them, for a page). Every change drops the lot: a change the tail reads, and each write of this process as it
 * returns (read-your-writes, as the read cache does). Served only while the tail has read the log within
 * `maxStaleMs`, as the read cache is; an answer read while a change was applied does not fill. Past its limits the
 * least recently used answers go; an answer over an eighth of `maxBytes` is not kept, so one cannot crowd out the rest.
 */
export class AnswerCache {
  /** Most recently used last: a hit moves its answer to the end, and the first ones are evicted. */
  private readonly answers = new Map<string, CachedAnswer>();
  private bytes = 0;
  /** Bumped by every change: a read that began under another generation may be older than the change. */
  private generation = 0;

  constructor(
    private readonly tail: ChangeTail,
    private readonly maxStaleMs: number,
    private readonly limits: AnswerCacheLimits = DEFAULT_LIMITS,
  ) {
    tail.subscribe({ change: () => this.clear() });
  }

  /** The answer to `key`, while the tail is fresh. */
  get(key: string): CachedAnswer | undefined {
    if (!this.tail.isFresh(this.maxStaleMs)) return undefined;
    const answer = this.answers.get(key);
    if (answer) {
      this.answers.delete(key);
      this.answers.set(key, answer);
    }
    return answer;
  }

  /** Where a read of the store begins: pass it to {@link fill} with what it read. */
  begin(): number {
    return this.generation;
  }

  fill(key: string, since: number, answer: CachedAnswer): void {
    if (since !== this.generation || this.tail.lastSeq === undefined || !this.tail.isFresh(this.maxStaleMs)) return;
    if (answer.body.length > this.limits.maxBytes / 8) return;
    this.remove(key);
    this.answers.set(key, answer);
    this.bytes += answer.body.length;
    for (const oldest of this.answers.keys()) {
      if (this.answers.size <= this.limits.maxAnswers && this.bytes <= this.limits.maxBytes) break;
      this.remove(oldest);
    }
  }

  /** A change was made or seen: no answer held may still be true. */
  clear(): void {
    this.generation++;
    this.answers.clear();
    this.bytes = 0;
  }

  private remove(key: string): void {
    const answer = this.answers.get(key);
    if (!answer) return;
    this.bytes -= answer.body.length;
    this.answers.delete(key);
  }
}
