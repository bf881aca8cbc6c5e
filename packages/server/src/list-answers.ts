import type { ChangeTail } from './change-tail.js';

/** How much the cache of list answers holds at most: answers, and bytes of them. */
const MAX_ANSWERS = 256;
const MAX_BYTES = 8 * 1024 * 1024;

/**
 * The bytes of recent list pages (`GET /v1/sneks?type=…`), by query: under load many readers ask for the same page,
 * and building and stringifying 50 sneks with their meta is most of what such a request costs. Every change drops the
 * lot: a change the tail reads, and each write of this process as it returns (read-your-writes, as the read cache
 * does). Served only while the tail has read the log within `maxStaleMs`, as the read cache is; a page read while a
 * change was applied does not fill.
 */
export class ListAnswers {
  private readonly answers = new Map<string, Buffer>();
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
  get(key: string): Buffer | undefined {
    return this.fresh() ? this.answers.get(key) : undefined;
  }

  /** Where a read of the store begins: pass it to {@link fill} with what it read. */
  begin(): number {
    return this.generation;
  }

  fill(key: string, since: number, body: Buffer): void {
    if (since !== this.generation || this.tail.lastSeq === undefined || !this.fresh()) return;
    if (this.answers.size >= MAX_ANSWERS || this.bytes + body.length > MAX_BYTES) this.drop();
    this.answers.set(key, body);
    this.bytes += body.length;
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
