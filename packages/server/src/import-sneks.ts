import { readdir, stat } from 'node:fs/promises';
import { SnekError, createsInBulk, keepsChangeLog, loadsInBulk, replaysChanges, writesInBulk, type Change, type Snek, type SnekStore } from '@snek/core';
import { withConditionalWrites } from './conditional-fallback.js';
import { isHistoryLine, toChange } from './history-lines.js';
import { toSnek } from './import-records.js';
import { artFiles, jsonLines } from './import-sources.js';

export interface ImportReport {
  /** Records written: created, or replacing a snek (with `overwrite`, or one this import wrote itself). */
  imported: number;
  created: number;
  /** Records not written because the store had their id before the import (without `overwrite`). */
  kept: number;
  skipped: Array<{ where: string; reason: string }>;
  /** History lines (`{"change": …}`) written through the store's replayChanges, with their own seq, actor and time. */
  replayed: number;
  /** History lines left out because the store cannot replay changes (no StoreChangeReplay). */
  historySkipped: number;
  seconds: number;
}

export interface ImportOptions {
  /** A JSON-lines file, or a folder of art files. */
  source: string;
  /** The type of sneks made from art files; default "imported". */
  type?: string | undefined;
  /** Replace sneks the store already has; by default they are kept as they are. */
  overwrite?: boolean | undefined;
  /** Called as sneks are written, for a progress bar. */
  progress?: (done: number, total: number | undefined) => void;
}

// Fewer, larger batches: a postgres round trip and commit per 5,000 sneks (100k: 4.5 s with 1,000, 3.4 s with 5,000).
const BATCH = 5000;
// Changes per replayChanges: each call is one transaction.
const CHANGE_BATCH = 1000;
// Records parsed between turns of the event loop: a networked store's write of the batch before (a COPY, its
// savepoints, each a round trip) goes on only in those turns. With one turn a file chunk (about 3,000 records) its
// round trips waited for the parse, and PostgreSQL and node took turns (1M into postgres: 14 s of load phase).
const TURN_EVERY = 100;

/** `snek-server import`: validates every record, writes them in batches, and says what it skipped and why. */
export async function importSneks(store: SnekStore, options: ImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const report: ImportReport = { imported: 0, created: 0, kept: 0, skipped: [], replayed: 0, historySkipped: 0, seconds: 0 };
  // One bulk load for the whole source: a store keeps its indexes once for it (StoreBulkLoad), not once a batch.
  if (loadsInBulk(store)) await store.bulkLoad(() => importInto(store, options, report));
  else await importInto(store, options, report);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

async function importInto(store: SnekStore, options: ImportOptions, report: ImportReport): Promise<void> {
  // Without overwrite, the ids this import created: a later record of one of them still wins, as it would with overwrite.
  const ours = new CreatedIds();
  // Ids whose history this import replayed: their snek lines are created only if the replay left them absent.
  const replayedIds = new Set<string>();
  const history = new HistoryReplay(store, report, replayedIds);
  let sawSnek = false;
  const isFolder = await isDirectory(options.source);
  const total = isFolder ? (await readdir(options.source)).length : undefined;
  let batch: Snek[] = [];
  // One batch is written while the next is read and validated, so parsing and a networked store overlap; writes stay
  // one at a time and in order, so a later record of an id still wins.
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    const sneks = batch;
    batch = [];
    await writing;
    const fromHistory = replayedIds.size === 0 ? [] : sneks.filter((snek) => replayedIds.has(snek.id));
    const rest = fromHistory.length === 0 ? sneks : sneks.filter((snek) => !replayedIds.has(snek.id));
    const writtenRest = options.overwrite ? writeBatch(store, rest).then((created) => ({ created, kept: 0 })) : createBatch(store, rest, ours);
    // A snek the replay wrote is imported already; one it left absent (its changes were older than the store's) is created.
    const written = writtenRest.then(async ({ created, kept }) => ({ created: created + (await createAll(store, fromHistory)).length, kept }));
    writing = written.then(({ created, kept }) => {
      report.created += created;
      report.kept += kept;
      report.imported += sneks.length - kept;
      options.progress?.(report.imported + report.skipped.length, total);
    });
    // Awaited by the next flush or at the end; until then a failure must not count as an unhandled rejection.
    writing.catch(() => undefined);
  };
  const source = isFolder ? await artFiles(options.source, options.type ?? 'imported') : jsonLines(options.source);
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  let sinceTurn = 0;
  for await (const chunk of source.chunks) {
    for (const candidate of chunk) {
      if (++sinceTurn === TURN_EVERY) {
        sinceTurn = 0;
        await turn();
      }
      if ('value' in candidate && isHistoryLine(candidate.value)) {
        const skipped = history.add(candidate.value, sawSnek);
        if (skipped) report.skipped.push({ where: source.where(candidate.at), reason: skipped });
        if (history.full) writing = history.flush(writing);
        continue;
      }
      if (history.pending) writing = history.flush(writing);
      sawSnek = true;
      if ('snek' in candidate) batch.push(candidate.snek);
      else {
        const snek = 'unreadable' in candidate ? candidate.unreadable : toSnek(candidate.value);
        if (typeof snek === 'string') report.skipped.push({ where: source.where(candidate.at), reason: snek });
        else batch.push(snek);
      }
      if (batch.length === BATCH) await flush();
    }
  }
  if (history.pending) writing = history.flush(writing);
  await flush();
  await writing;
}

/** History lines, checked and replayed in order through the store's replayChanges, in batches. */
class HistoryReplay {
  private batch: Change[] = [];
  private lastSeq = 0;

  constructor(
    private readonly store: SnekStore,
    private readonly report: ImportReport,
    private readonly replayedIds: Set<string>,
  ) {}

  get pending(): boolean {
    return this.batch.length > 0;
  }

  get full(): boolean {
    return this.batch.length >= CHANGE_BATCH;
  }

  /** Takes one history line; gives why it is skipped, if it is. `afterSneks`: a snek line came before it. */
  add(line: { change: unknown }, afterSneks: boolean): string | undefined {
    const change = toChange(line);
    if (typeof change === 'string') return `not a change (${change})`;
    if (afterSneks) return 'a history line after the sneks: history comes first, as snek-server export --history writes it';
    if (change.seq <= this.lastSeq) return `change ${change.seq} follows change ${this.lastSeq}: history lines go oldest first`;
    this.lastSeq = change.seq;
    if (!replaysChanges(this.store)) {
      this.report.historySkipped++;
      return undefined;
    }
    this.batch.push(change);
    return undefined;
  }

  /** Replays what is queued once `before` (the writes so far) is done; the next write waits for it. */
  flush(before: Promise<void>): Promise<void> {
    const changes = this.batch;
    this.batch = [];
    const store = this.store;
    if (!replaysChanges(store)) return before;
    const done = before.then(async () => {
      // The store skips changes at or below its newest seq (it holds them already, or its own writes came after):
      // those are not replayed, and their ids' snek lines go the usual way, replacing with --overwrite.
      const newest = keepsChangeLog(store) ? ((await store.changes({ order: 'desc', limit: 1 }))[0]?.seq ?? 0) : 0;
      await store.replayChanges(changes);
      const written = changes.filter((change) => change.seq > newest);
      for (const change of written) {
        if (change.op === 'put') this.replayedIds.add(change.id);
        else this.replayedIds.delete(change.id);
      }
      this.report.replayed += written.length;
    });
    done.catch(() => undefined);
    return done;
  }
}

async function isDirectory(source: string): Promise<boolean> {
  try {
    return (await stat(source)).isDirectory();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    throw new SnekError('USAGE', `The import source ${source} ${reason}. Give a .jsonl file or a folder of art files.`, { cause: error });
  }
}

async function writeBatch(store: SnekStore, sneks: Snek[]): Promise<number> {
  if (sneks.length === 0) return 0;
  if (writesInBulk(store)) return (await store.putMany(sneks)).created;
  const results = await Promise.all(sneks.map((snek) => store.put(snek)));
  return results.filter((result) => result.created).length;
}

/**
 * Without overwrite: creates the sneks whose ids the store lacks, atomically per snek, through the store's bulk create
 * path when it has one (postgres: as fast as putMany), else through conditional puts. Records of ids this import
 * created earlier replace them. Returns how many it created and how many records it kept out.
 */
async function createBatch(store: SnekStore, sneks: Snek[], ours: CreatedIds): Promise<{ created: number; kept: number }> {
  if (sneks.length === 0) return { created: 0, kept: 0 };
  const unique = lastOfEachId(sneks);
  const created = await createAll(store, unique);
  ours.add(created);
  // Into an empty store, every id is new: no lookup is needed. Otherwise the ids left are this import's or kept.
  if (created.length === unique.length) return { created: created.length, kept: 0 };
  const createdNow = new Set(created);
  const left = unique.filter((snek) => !createdNow.has(snek.id));
  await writeBatch(store, left.filter((snek) => ours.has(snek.id)));
  const keptIds = new Set(left.filter((snek) => !ours.has(snek.id)).map((snek) => snek.id));
  const kept = unique === sneks ? keptIds.size : sneks.filter((snek) => keptIds.has(snek.id)).length;
  return { created: created.length, kept };
}

/** The last record of each id, in the order the ids first came; the batch itself when no id repeats, as is usual. */
function lastOfEachId(sneks: Snek[]): Snek[] {
  // An export is in id order, and ids that only go up cannot repeat: no Set (0.2 s of a 1M import).
  let ascending = true;
  for (let i = 1; i < sneks.length && ascending; i++) ascending = sneks[i - 1]!.id < sneks[i]!.id;
  if (ascending) return sneks;
  const ids = new Set<string>();
  for (const snek of sneks) ids.add(snek.id);
  if (ids.size === sneks.length) return sneks;
  const last = new Map<string, Snek>();
  for (const snek of sneks) last.set(snek.id, snek);
  return [...last.values()];
}

/**
 * The ids an import created, as the lists createMany gave. They become a Set only when a record meets an id the store
 * holds already: an import of distinct ids into an empty store never does, and filling a Set of a million ids and
 * looking each up took 2 s of a 1M import's CPU.
 */
class CreatedIds {
  private lists: string[][] = [];
  private set: Set<string> | undefined;

  add(ids: string[]): void {
    if (this.set) for (const id of ids) this.set.add(id);
    else if (ids.length > 0) this.lists.push(ids);
  }

  has(id: string): boolean {
    if (!this.set) {
      this.set = new Set(this.lists.flat());
      this.lists = [];
    }
    return this.set.has(id);
  }
}

async function createAll(store: SnekStore, sneks: Snek[]): Promise<string[]> {
  if (sneks.length === 0) return [];
  if (createsInBulk(store)) return (await store.createMany(sneks)).created;
  const writer = withConditionalWrites(store);
  const results = await Promise.all(sneks.map((snek) => writer.putIf(snek, null)));
  return sneks.filter((_, i) => results[i]!.ok).map((snek) => snek.id);
}

/** The report's first line, as `snek-server import` prints it and `--import` logs it. */
export function describeImport(report: ImportReport, storeName: string): string {
  const { imported, created, kept, skipped, replayed, historySkipped, seconds } = report;
  const rate = Math.round(imported / Math.max(seconds, 0.001));
  const keptClause = kept === 0 ? '' : `, kept ${snekCount(kept)} that already ${kept === 1 ? 'exists' : 'exist'} (pass --overwrite to replace ${kept === 1 ? 'it' : 'them'})`;
  const replayedClause = replayed === 0 ? '' : `, replayed ${replayed} ${replayed === 1 ? 'change' : 'changes'} of history`;
  return `imported ${snekCount(imported)} (${created} new) into the ${storeName} store in ${seconds.toFixed(1)} s (${rate}/s)${keptClause}${replayedClause}; skipped ${skipped.length + historySkipped}`;
}

/** Why history lines were left out, when they were: a line of its own under the report. */
export function describeSkippedHistory(report: ImportReport, storeName: string): string | undefined {
  if (report.historySkipped === 0) return undefined;
  return `skipped ${report.historySkipped} history ${report.historySkipped === 1 ? 'line' : 'lines'}: the ${storeName} store cannot replay changes (it has no replayChanges), so the sneks came in without their history`;
}

function snekCount(count: number): string {
  return `${count} ${count === 1 ? 'snek' : 'sneks'}`;
}
