/** A place in a {@link SortedRun}: chunk and index in it; the end is `{ chunk: chunks, at: 0 }`. */
export interface RunPosition {
  chunk: number;
  at: number;
}

// Chunks split past twice this. An insert or remove moves at most ~2,000 numbers, at any size; a flat array of a
// million moved ~4 MB per insert (about 1 ms), which made bulk loads in random order quadratic.
const LOAD = 1000;

/**
 * Values (slots, ids) in the order `compare` gives, in chunks: insert and remove in O(log n + chunk), a page read from
 * any position in O(log n + page). `compare` must order no two distinct values as equal, and must not change its
 * mind about a value while it is in the run (remove it first, then change what it compares by).
 */
export class SortedRun<T = number> {
  private chunks: T[][] = [];
  private count = 0;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  /** A run of `values`, sorted here once: O(n log n), not n inserts. */
  static of<T>(values: T[], compare: (a: T, b: T) => number): SortedRun<T> {
    const run = new SortedRun<T>(compare);
    values.sort(compare);
    for (let at = 0; at < values.length; at += LOAD) run.chunks.push(values.slice(at, at + LOAD));
    run.count = values.length;
    return run;
  }

  get size(): number {
    return this.count;
  }

  /** Adds `value`; false when the run holds it already. */
  add(value: T): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([value]);
    } else {
      const c = Math.min(this.chunkOf((x) => this.compare(x, value) >= 0), this.chunks.length - 1);
      const chunk = this.chunks[c]!;
      const at = lowerBound(chunk, (x) => this.compare(x, value) >= 0);
      if (at < chunk.length && this.compare(chunk[at]!, value) === 0) return false;
      chunk.splice(at, 0, value);
      if (chunk.length > 2 * LOAD) this.chunks.splice(c + 1, 0, chunk.splice(LOAD));
    }
    this.count++;
    return true;
  }

  /** Removes `value`; false when it was not there. */
  remove(value: T): boolean {
    const c = this.chunkOf((x) => this.compare(x, value) >= 0);
    const chunk = this.chunks[c];
    if (!chunk) return false;
    const at = lowerBound(chunk, (x) => this.compare(x, value) >= 0);
    if (chunk[at] !== value) return false;
    chunk.splice(at, 1);
    if (chunk.length === 0) this.chunks.splice(c, 1);
    this.count--;
    return true;
  }

  /** The first position whose number satisfies `reached`, which must be false, then true, along the run. */
  seek(reached: (value: T) => boolean): RunPosition {
    const chunk = this.chunkOf(reached);
    if (chunk === this.chunks.length) return { chunk, at: 0 };
    return { chunk, at: lowerBound(this.chunks[chunk]!, reached) };
  }

  /** Visits numbers from `from` on, in order, while `visit` returns true. */
  forward(from: RunPosition, visit: (value: T) => boolean): void {
    for (let c = from.chunk, at = from.at; c < this.chunks.length; c++, at = 0) {
      const chunk = this.chunks[c]!;
      for (; at < chunk.length; at++) if (!visit(chunk[at]!)) return;
    }
  }

  /** Visits the numbers before `from`, nearest first, while `visit` returns true. */
  backward(from: RunPosition, visit: (value: T) => boolean): void {
    let c = from.chunk;
    let at = from.at - 1;
    for (; c >= 0; c--) {
      const chunk = this.chunks[c];
      if (chunk) for (; at >= 0; at--) if (!visit(chunk[at]!)) return;
      at = (this.chunks[c - 1]?.length ?? 0) - 1;
    }
  }

  // The first chunk whose last number satisfies `reached` (chunks.length when none does).
  private chunkOf(reached: (value: T) => boolean): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (reached(this.chunks[mid]!.at(-1)!)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** The later of two positions. */
export function laterPosition(a: RunPosition, b: RunPosition): RunPosition {
  return a.chunk > b.chunk || (a.chunk === b.chunk && a.at >= b.at) ? a : b;
}

function lowerBound<T>(values: readonly T[], reached: (value: T) => boolean): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (reached(values[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
