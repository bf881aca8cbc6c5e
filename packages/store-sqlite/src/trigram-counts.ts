import type { SqliteConnection, SqliteStatement } from './driver.js';

/** How many counts are kept, of each kind (see TrigramCounts); more clear that kind's lot. */
const KEPT = 10_000;

/** An FTS5 string for one trigram: double quotes doubled, so no text is read as query syntax. */
export function quoted(gram: string): string {
  return `"${gram.replaceAll('"', '""')}"`;
}

/**
 * How many rows of the trigram index hold a trigram, counted up to a cap (a count below its cap is exact): search
 * plans on them, and at a million sneks counting the five rare trigrams of "snek number 123456" read 27,000 rows
 * (1-3 ms) a search. So counts are kept, two ways:
 * - every count, while the file is unchanged: SQLite's data_version (commits of other connections) and
 *   total_changes() (this connection's writes, a bulk load's uncommitted ones too) say when to drop them. A search
 *   reads both first, so a count it keeps is never older than the version it is kept under.
 * - trigrams found in at least a cap's rows, across writes too ("nek" is in every row): only a plan, a kept trigram is
 *   merely left out of an AND or makes a tier dense, and every row is still checked. Counts that decide that no row
 *   matches (0) are kept the first way only.
 */
export class TrigramCounts {
  private readonly version: SqliteStatement;
  private readonly counter: SqliteStatement;
  private seen: string | undefined;
  private counts = new Map<string, { n: number; cap: number }>();
  private readonly common = new Map<string, number>();

  constructor(db: SqliteConnection) {
    this.version = db.prepare('SELECT data_version AS v, total_changes() AS t FROM pragma_data_version');
    this.counter = db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM sneks_fts WHERE sneks_fts MATCH @match LIMIT @cap)');
  }

  /** Called as a search begins: drops the counts when the file has changed since they were read. */
  refresh(): void {
    const row = this.version.get()!;
    const version = `${String(row['v'])} ${String(row['t'])}`;
    if (version !== this.seen) (this.seen = version), (this.counts = new Map());
  }

  /** How many rows hold `gram`, counted up to `cap`. */
  count(gram: string, cap: number): number {
    const known = this.counts.get(gram);
    if (known && (known.n < known.cap || known.cap >= cap)) return Math.min(known.n, cap);
    if ((this.common.get(gram) ?? 0) >= cap) return cap;
    const n = Number(this.counter.get({ match: quoted(gram), cap })!['n']);
    if (this.counts.size >= KEPT) this.counts.clear();
    this.counts.set(gram, { n, cap });
    if (n === cap) {
      if (this.common.size >= KEPT) this.common.clear();
      this.common.set(gram, cap);
    }
    return n;
  }
}
