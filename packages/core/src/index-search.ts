import type { SearchQuery } from './contract.js';
import { NEAR_MISS_SIMILARITY, naturalKeyOfFolded, compareKeys, compareRanks, foldCase, prepareSearch, searchRank, type PreparedSearch, type SearchRank, type SearchTier } from './search.js';
import { containedGrams, startPrefixes } from './search-keys.js';
import { laterPosition, type RunPosition, type SortedRun } from './sorted-run.js';
import { IN_ID, IN_NAME, type Posting, type TrigramPostings } from './trigram-postings.js';

/**
 * A tier whose candidates number at most this is ranked by sorting them; a larger one is read in name order from
 * the cursor, which stops once the page is full. Sorting 4,096 candidates takes about 2 ms.
 */
const SORT_LIMIT = 4096;

/**
 * The bound for a query with no trigram of its own (no three letters or digits in a row that every match must hold,
 * such as "%", "2" or "ab"): tiers 2 and 3 test at most this many sneks each per search, in name order from the
 * cursor. A store of up to this many is searched exactly; in a larger one such a query may end those tiers early,
 * and a match further along is not found. Testing one takes about 0.5 µs.
 */
export const SHORT_QUERY_SCAN = 100_000;

/**
 * The near-miss cap: tier 4 reads at most this many postings, those of the query's rarest trigrams first. A query
 * whose trigrams each fill a large share of a store of over a million names goes past it; the trigrams left unread
 * then count as not shared, so a near miss that only they would lift over the threshold is left out, and one they
 * would score higher ranks lower. Below it tier 4 is exact: a query of up to 20 trigrams (about three words) on
 * 200,000 names stays under it.
 */
export const NEAR_MISS_POSTINGS = 4_000_000;

/** What the search reads of a {@link SnekIndex}: slots, the name order, the trigram postings. */
export interface SearchSource {
  names: SortedRun;
  postings: TrigramPostings;
  /** One more than the highest slot in use. */
  slotLimit: number;
  id(slot: number): string;
  name(slot: number): string;
  type(slot: number): string;
  key(slot: number): string;
  /** How many trigrams each slot's folded name has, by slot. */
  nameGrams: Uint16Array;
  live(slot: number): boolean;
  types(): Iterable<string>;
  typeSize(type: string): number;
  slotsOfType(type: string): number[];
}

export interface SlotResult {
  slot: number;
  rank: SearchRank;
}

// Scratch arrays shared by every search (they run one at a time): zeroed again after each use.
let counts = new Uint16Array(0);
let marks = new Uint8Array(0);

/** A page of the search's results, exactly as `rankSneks` over every slot orders them (but see the cap). */
export function searchSlots(source: SearchSource, query: SearchQuery): { items: SlotResult[]; more: boolean } {
  const search = prepareSearch(query.q);
  if (search.folded === '') return { items: [], more: false };
  const tiers = new TierReader(source, search, query.type, query.limit + 1);
  for (let tier = query.after?.tier ?? 0; tier <= 4 && !tiers.full; tier++) tiers.read(tier as SearchTier, query.after?.tier === tier ? query.after : undefined);
  return { items: tiers.found.slice(0, query.limit), more: tiers.found.length > query.limit };
}

class TierReader {
  readonly found: SlotResult[] = [];
  private readonly q: string;
  private readonly typeHits: Set<string>;

  constructor(
    private readonly source: SearchSource,
    private readonly search: PreparedSearch,
    private readonly type: string | undefined,
    private readonly want: number,
  ) {
    this.q = search.folded;
    this.typeHits = new Set([...source.types()].filter((t) => foldCase(t).includes(this.q)));
  }

  get full(): boolean {
    return this.found.length >= this.want;
  }

  /** The results of `tier` after `from` (or all of it), in order, until the page is full. */
  read(tier: SearchTier, from: SearchRank | undefined): void {
    if (tier === 4) return this.nearMisses(from);
    // A rare type: its sneks are the candidates of every tier.
    if (this.type !== undefined && this.source.typeSize(this.type) <= SORT_LIMIT) return this.sorted(tier, this.source.slotsOfType(this.type), from);
    if (tier === 0) return this.walk(tier, this.start([naturalKeyOfFolded(this.q)], from), (key, prefix) => key === prefix);
    if (tier === 1) return this.walk(tier, this.start(startPrefixes(this.q), from), (key, prefix) => key.startsWith(prefix));
    const candidates = this.candidates(tier);
    if (candidates && candidates.size <= SORT_LIMIT) return this.sorted(tier, candidates.slots(), from);
    this.walkAll(tier, from, candidates);
  }

  /** Where each prefix's range starts, after `from`. */
  private start(prefixes: string[], from: SearchRank | undefined): Array<{ prefix: string; at: RunPosition }> {
    const { names } = this.source;
    const after = from && this.after(from);
    return prefixes.map((prefix) => {
      const at = names.seek((slot) => compareKeys(this.source.key(slot), prefix) >= 0);
      return { prefix, at: after ? laterPosition(at, after) : at };
    });
  }

  private walk(tier: SearchTier, ranges: Array<{ prefix: string; at: RunPosition }>, inRange: (key: string, prefix: string) => boolean): void {
    for (const { prefix, at } of ranges) {
      if (this.full) return;
      this.source.names.forward(at, (slot) => inRange(this.source.key(slot), prefix) && (this.take(tier, slot), !this.full));
    }
  }

  /** Tiers 2 and 3 in name order from `from`: each slot tested, or only the candidates when they are few among all. */
  private walkAll(tier: SearchTier, from: SearchRank | undefined, candidates: Candidates | undefined): void {
    if (candidates && candidates.size < this.source.names.size / 8) return this.walkMarked(tier, from, candidates.slots());
    let budget = candidates ? Infinity : SHORT_QUERY_SCAN;
    this.source.names.forward(this.after(from), (slot) => (this.take(tier, slot), !this.full && --budget > 0));
  }

  /** `slots` in name order from `from`, by marking them and reading the order past the others. */
  private walkMarked(tier: SearchTier, from: SearchRank | undefined, slots: readonly number[], score?: number): void {
    if (marks.length < this.source.slotLimit) marks = new Uint8Array(this.source.slotLimit * 2);
    for (const slot of slots) marks[slot] = 1;
    this.source.names.forward(this.after(from), (slot) => (marks[slot] === 1 && this.take(tier, slot, score), !this.full));
    for (const slot of slots) marks[slot] = 0;
  }

  private after(from: SearchRank | undefined): RunPosition {
    return from ? this.source.names.seek((slot) => this.compareTo(slot, from) > 0) : { chunk: 0, at: 0 };
  }

  private sorted(tier: SearchTier, slots: Iterable<number>, from: SearchRank | undefined, score?: number): void {
    const matched: SlotResult[] = [];
    for (const slot of new Set(slots)) {
      if (!this.source.live(slot) || !this.inTier(slot, tier) || (this.type !== undefined && this.source.type(slot) !== this.type)) continue;
      const rank = this.rankOf(slot, tier, score);
      if (rank && (!from || compareRanks(rank, from) > 0)) matched.push({ slot, rank });
    }
    for (const result of matched.sort((a, b) => compareRanks(a.rank, b.rank))) {
      if (this.full) return;
      this.found.push(result);
    }
  }

  /** Adds `slot` when it belongs to `tier` (and the type). */
  private take(tier: SearchTier, slot: number, score?: number): void {
    if (this.type !== undefined && this.source.type(slot) !== this.type) return;
    if (!this.inTier(slot, tier)) return;
    const rank = this.rankOf(slot, tier, score);
    if (rank) this.found.push({ slot, rank });
  }

  // The one ranking decides tiers 0–3; inTier only says where to look, and must agree with it. A near miss's
  // score was counted from the postings, as trigramSimilarity counts it.
  private rankOf(slot: number, tier: SearchTier, score?: number): SearchRank | undefined {
    if (tier === 4) return { tier, score: score!, key: this.source.key(slot), id: this.source.id(slot) };
    const rank = searchRank(this.search, { id: this.source.id(slot), name: this.source.name(slot), type: this.source.type(slot) });
    return rank?.tier === tier ? rank : undefined;
  }

  /** Whether `slot` is in `tier` as searchRank decides tiers 0–3 (4: none of them), without trigrams. */
  private inTier(slot: number, tier: SearchTier): boolean {
    const name = foldCase(this.source.name(slot));
    if (tier === 0) return name === this.q;
    if (tier === 1) return name !== this.q && name.startsWith(this.q);
    if (tier === 2) return !name.startsWith(this.q) && name.includes(this.q);
    const third = !name.includes(this.q) && (this.typeHits.has(this.source.type(slot)) || foldCase(this.source.id(slot)).includes(this.q));
    return tier === 3 ? third : !third && !name.includes(this.q);
  }

  /** A superset of the slots of tier 2 or 3 from the trigram postings and type names; undefined when none is known. */
  private candidates(tier: 2 | 3): Candidates | undefined {
    const grams = [...containedGrams(this.q)].map((gram) => this.source.postings.get(gram));
    if (grams.length === 0) return undefined;
    // A trigram no name or id holds: the tier is empty.
    const rarest = grams.reduce<Posting | undefined>((best, posting) => (!posting || !best ? undefined : posting.length < best.length ? posting : best), grams[0]);
    const fromGrams = postingSlots(rarest, tier === 2 ? IN_NAME : IN_ID);
    if (tier === 2) return fromGrams;
    const types = [...this.typeHits].filter((type) => this.type === undefined || type === this.type);
    const typed = types.reduce((sum, type) => sum + this.source.typeSize(type), 0);
    // Many sneks of a type that matches: the tier is dense, and reading the order past the rest is quicker than
    // listing them.
    if (typed > SORT_LIMIT) return { size: Infinity, slots: () => [] };
    return { size: typed + fromGrams.size, slots: () => [...fromGrams.slots(), ...types.flatMap((type) => this.source.slotsOfType(type))] };
  }

  /** Tier 4: trigram similarity counted from the postings, rarest trigrams first, up to the cap. */
  private nearMisses(from: SearchRank | undefined): void {
    const { source, search } = this;
    if (counts.length < source.slotLimit) counts = new Uint16Array(source.slotLimit * 2);
    const postings = [...search.grams].flatMap((gram) => source.postings.get(gram) ?? []).sort((a, b) => a.length - b.length);
    const touched: number[] = [];
    const { nameGrams } = source;
    const size = search.grams.size;
    let budget = NEAR_MISS_POSTINGS;
    for (let g = 0; g < postings.length; g++) {
      const posting = postings[g]!;
      if (posting.length > budget) break;
      budget -= posting.length;
      // A name first met in this posting shares at most the trigrams left: when that many cannot reach the
      // threshold for a name of its size, it is not counted (rarest first, so the common trigrams count few).
      const left = postings.length - g;
      const { values, length } = posting;
      for (let i = 0; i < length; i++) {
        const value = values[i]!;
        if ((value & IN_NAME) === 0) continue;
        const slot = value >>> 2;
        if (counts[slot] === 0) {
          if (left / (size + nameGrams[slot]! - left) < NEAR_MISS_SIMILARITY - 1e-9) continue;
          touched.push(slot);
        }
        counts[slot]!++;
      }
    }
    // Near misses grouped by score, best first; each group is in name order, like a tier of its own. Grouped first
    // by (shared, name size) as one small integer, which a Map hashes far faster than a fraction.
    const bySize = new Map<number, number[]>();
    for (const slot of touched) {
      const shared = counts[slot]!;
      counts[slot] = 0;
      const pair = shared * 65536 + nameGrams[slot]!;
      const group = bySize.get(pair);
      if (group) group.push(slot);
      else bySize.set(pair, [slot]);
    }
    const byScore = new Map<number, number[]>();
    for (const [pair, slots] of bySize) {
      const shared = Math.floor(pair / 65536);
      const score = shared / (size + (pair % 65536) - shared);
      if (score < NEAR_MISS_SIMILARITY) continue;
      const live = slots.filter((slot) => source.live(slot));
      const group = byScore.get(score);
      if (group) for (const slot of live) group.push(slot);
      else byScore.set(score, live);
    }
    for (const score of [...byScore.keys()].sort((a, b) => b - a)) {
      if (this.full) return;
      if (from && score > from.score) continue;
      const group = byScore.get(score)!;
      const after = from?.score === score ? from : undefined;
      if (group.length <= SORT_LIMIT) this.sorted(4, group, after, score);
      else this.walkMarked(4, after, group, score);
    }
  }

  private compareTo(slot: number, rank: SearchRank): number {
    return compareKeys(this.source.key(slot), rank.key) || compareKeys(this.source.id(slot), rank.id);
  }
}

interface Candidates {
  size: number;
  slots(): number[];
}

/** The live-or-dead slots of a posting whose flags include `flag`; the size counts every value, an upper bound. */
function postingSlots(posting: Posting | undefined, flag: number): Candidates {
  if (!posting) return { size: 0, slots: () => [] };
  return {
    size: posting.length,
    slots: () => {
      const slots: number[] = [];
      for (let i = 0; i < posting.length; i++) if ((posting.values[i]! & flag) !== 0) slots.push(posting.values[i]! >>> 2);
      return slots;
    },
  };
}
