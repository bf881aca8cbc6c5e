import { NEAR_MISS_SIMILARITY, compareKeys, trigramSimilarity, trigrams, type SearchRank } from '@snek/core';

/** A store of at most this many sneks reads tiers 0–3 without a sample, each exactly (search-tiers.ts). */
export const SAMPLE_ABOVE = 10_000;
/**
 * A store of at most this many sneks ranks near misses by bands of similarity, exactly: no band holds more rows than
 * the bands read (NEAR_MISS_CANDIDATES). A larger one takes a sample for them, whose rare pieces find the nearest names
 * sooner: the bands rank every name that shares the text's common words ("snek number", in most), 50 ms at 10,000.
 */
export const NEAR_MISS_SAMPLE_ABOVE = 1000;
/** About this many names are sampled from a larger store. */
export const SAMPLE_SIZE = 2000;
/** A sample is taken again after this long, in the background (the old one serves meanwhile). */
export const SAMPLE_AGE_MS = 10 * 60_000;

/** One sampled row, its name's trigrams worked out once. */
export interface SampledName {
  key: string;
  id: string;
  folded: string;
  grams: Set<string>;
}

/** A piece of a search text that near-miss candidates hold: a run of letters or digits inside a word. */
export interface Piece {
  text: string;
}

/** The LIKE patterns (any of them) of the names that hold `piece`. */
export function piecePatterns(piece: Piece): string[] {
  return [`%${escapeLike(piece.text)}%`];
}

function holds(folded: string, piece: Piece): boolean {
  return folded.includes(piece.text);
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');

// Runs of three or more letters or digits: what pg_trgm's GIN index serves as LIKE '%run%', one posting list per trigram.
const RUN = /[\p{L}\p{N}]{3,}/gu;

/**
 * A random sample of the store's folded names (TABLESAMPLE BERNOULLI), to tell how many rows hold a piece of text
 * before asking PostgreSQL: pg_trgm keeps no count of a trigram's rows, and reading a common trigram's posting list
 * (a trigram of "snek" is in 7 names in 8) costs hundreds of milliseconds at a million sneks.
 */
export class SearchSample {
  /** Sorted by (key, id), the order of the tiers' reads. */
  readonly names: SampledName[];

  constructor(
    /** How many sneks the store held when sampled. */
    readonly total: number,
    names: Array<{ name_key: string; id: string; name_folded: string }>,
  ) {
    this.names = names
      .map((row) => ({ key: row.name_key, id: row.id, folded: row.name_folded, grams: trigrams(row.name_folded) }))
      .sort((a, b) => compareKeys(a.key, b.key) || compareKeys(a.id, b.id));
  }

  /** About how many of the store's names contain `text`. */
  rows(text: string): number {
    return this.count((name) => name.includes(text));
  }

  /** The run of `folded` (three or more letters or digits) in the fewest names, with that count; every name containing `folded` contains it. */
  rarestRun(folded: string): { run: string; rows: number } | undefined {
    let best: { run: string; rows: number } | undefined;
    for (const [run] of folded.matchAll(RUN)) {
      const rows = this.rows(run);
      if (!best || rows < best.rows) best = { run, rows };
    }
    return best;
  }

  /**
   * Pieces of `folded` for near-miss candidates (see Piece), the rarest first, as many as together hold at most
   * `budget` names. A name similar to the text shares its rare trigrams, most often side by side.
   */
  rarePieces(folded: string, budget: number): Piece[] {
    const chosen: Piece[] = [];
    let rows = 0;
    for (const { piece, rows: more } of this.pieces(folded)) {
      if (rows + more > budget) break;
      chosen.push(piece);
      rows += more;
    }
    return chosen;
  }

  /** The rarest piece of `folded` not in `taken`, if it is in at most `most` names. */
  nextPiece(folded: string, taken: Piece[], most: number): Piece | undefined {
    const next = this.pieces(folded).find(({ piece }) => !taken.some((other) => other.text === piece.text));
    return next && next.rows <= most ? next.piece : undefined;
  }

  private pieces(folded: string): Array<{ piece: Piece; rows: number }> {
    const pieces = new Map<string, Piece>();
    const add = (piece: Piece) => pieces.set(piece.text, piece);
    const small = this.total <= SAMPLE_ABOVE;
    for (const { 0: word, index } of folded.matchAll(RUN)) {
      const points = Array.from(word);
      // Runs of four; in a store of at most SAMPLE_ABOVE sneks, of three too, and a word's first two after the
      // character before it: rare enough there to read ("114" of "1149", " 11": tens of names of 10,000), and they find
      // the nearest names, which share most of the text's number ("Snek number 11" of "Snek nubmer 1149"). In a larger
      // store these are in ten times the names of a run of four, and the sample tells too little of them.
      for (const size of small ? [4, 3] : [4]) for (let i = 0; i + size <= points.length; i++) add({ text: points.slice(i, i + size).join('') });
      // A word of three is a piece whole ("517" of "Snek nubmer 517"): else its name's only rare part goes unread.
      if (points.length < 4) add({ text: word });
      if (small && index > 0) add({ text: folded.slice(index - 1, index) + points.slice(0, 2).join('') });
      // Not a word's first or last three: their padded trigrams ("  4", "33 ") are in a name in ten or more, and
      // reading those posting lists tripled the read at a million sneks.
    }
    return [...pieces.values()].map((piece) => ({ piece, rows: this.count((name) => holds(name, piece)) })).sort((a, b) => a.rows - b.rows);
  }

  private count(test: (folded: string) => boolean): number {
    if (this.names.length === 0) return 0;
    let hits = 0;
    for (const name of this.names) if (test(name.folded)) hits++;
    return (hits / this.names.length) * this.total;
  }

  /** Whether a sampled name without any of `pieces` is a near miss of `folded` (`grams` its trigrams): then more may be outside them. */
  nearMissBeyond(folded: string, grams: Set<string>, pieces: Piece[]): boolean {
    return this.names.some((name) => !name.folded.includes(folded) && !pieces.some((piece) => holds(name.folded, piece)) && trigramSimilarity(grams, name.grams) >= NEAR_MISS_SIMILARITY);
  }

  /**
   * Where to walk on from, in (key, id) order, past `after`, for rows that `matches`: the last sampled row before the
   * first sampled match after `after`; undefined when that match is the first sampled row after `after` (nothing to
   * skip), 'none' when no sampled row after `after` matches. The rows skipped are those the sample suggests hold no
   * match; `skipped` sampled rows are among them.
   */
  jump(after: Pick<SearchRank, 'key' | 'id'>, matches: (folded: string) => boolean): { key: string; id: string; skipped: number } | 'none' | undefined {
    let before: SampledName | undefined;
    let skipped = 0;
    for (const name of this.names) {
      if ((compareKeys(name.key, after.key) || compareKeys(name.id, after.id)) <= 0) continue;
      if (matches(name.folded)) return before && { key: before.key, id: before.id, skipped };
      before = name;
      skipped++;
    }
    return 'none';
  }
}
