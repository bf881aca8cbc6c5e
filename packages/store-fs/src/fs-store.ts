import { statSync } from 'node:fs';
import { mkdir, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_HISTORY_KEEP, KeyedMutex, SLUG_PATTERN, SnekError, SnekIndex, checkReplayBatch, sameSnek, type StoreChangeReplay, type Change, type ChangeQuery, type ConditionalWriteResult, type Snek, type SnekPage, type SnekQuery, type SnekStore, type StoreBulkCreator, type StoreBulkWriter, type StoreChangeLog, type StoreConditionalWriter, type StoreContext, type StoreSeedLedger, type StoreStatusReporter, type StoreTypeCounter, type TypeCount, type BrowsePage, type BrowseQuery, type SearchPage, type SearchQuery, type StoreBrowse, type StoreSearch, type WriteOptions, arraySnapshot, snapshotView, type SnapshotView, type StoreSnapshot } from '@snek/core';
import { TEMP_SUFFIX, syncDir, unlinkIfThere, writeFileAtomic } from './atomic-file.js';
import { ChangeJournal } from './change-journal.js';
import { takeCleanClose, writeCleanClose } from './clean-close.js';
import { CommitQueue, type Write } from './commit-queue.js';
import { lockDir } from './dir-lock.js';
import { RetainedChanges } from './retained-changes.js';
import { RECORD_SUFFIX, readRecords, recordFile, type Skipped } from './record-files.js';
import { readSeedLedger, writeSeedLedger } from './seed-ledger.js';

// The seed ledger's key in its write queue: not a slug, so no snek id can share it.
const LEDGER_KEY = '.seed-ledger';

const recordOf = (snek: Snek): Snek => ({ id: snek.id, name: snek.name, type: snek.type, content: snek.content });
const copyOf = (snek: Snek | undefined): Snek | undefined => snek && { ...snek };

/** A write that puts `record` whatever the id holds. */
const putting = (record: Snek): Write<{ created: boolean }> => ({ id: record.id, decide: (current) => ({ write: record, result: { created: current === undefined } }) });

/**
 * One JSON file per snek in `dir`, named `<id>.json`, and the change log, an append-only journal beside them that
 * every write goes through first (see commit-queue.ts): the journal is what makes a write durable, and the records
 * follow it. Open reads every record and the journal anyway, so the store keeps both in memory: reads never touch
 * the disk.
 */
export class FsSnekStore implements SnekStore, StoreStatusReporter, StoreBulkWriter, StoreBulkCreator, StoreConditionalWriter, StoreTypeCounter, StoreSeedLedger, StoreChangeLog, StoreChangeReplay, StoreSnapshot, StoreBrowse, StoreSearch {
  private readonly index = new SnekIndex<Snek>();
  /** The pack sneks seeded so far, also in .snek-seeded.json. */
  private seededIds = new Set<string>();
  private readonly ledgerWrites = new KeyedMutex();
  private skipped: Skipped[] = [];
  private readonly log: RetainedChanges;
  private commits!: CommitQueue;
  private journal!: ChangeJournal;
  /** Records open rewrote from the journal, which a crash had left behind it. */
  private redone = 0;
  private readonly snapshots = new Set<SnapshotView>();
  private closed = false;
  private folderSeenThisTurn = false;

  private constructor(
    readonly dir: string,
    private readonly unlock: () => Promise<void>,
    keep: number,
  ) {
    this.log = new RetainedChanges(keep);
  }

  /**
   * Locks `dir`, sweeps temp files a crash left, indexes every record (unreadable ones are skipped and reported),
   * reads the journal and redoes what a crash kept from the records. `context.history.keep`: changes kept per snek.
   */
  static async open(dir: string, context: Pick<StoreContext, 'history'> = {}): Promise<FsSnekStore> {
    await mkdir(dir, { recursive: true });
    const store = new FsSnekStore(dir, await lockDir(dir), context.history?.keep ?? DEFAULT_HISTORY_KEEP);
    try {
      await store.load();
    } catch (error) {
      await store.unlock();
      throw error;
    }
    return store;
  }

  async get(id: string): Promise<Snek | undefined> {
    this.fileOf(id);
    this.assertFolder();
    return copyOf(this.index.get(id));
  }

  async put(snek: Snek, options?: WriteOptions): Promise<{ created: boolean }> {
    this.fileOf(snek.id);
    const [result] = await this.commit([putting(recordOf(snek))], options);
    return result!;
  }

  async delete(id: string, options?: WriteOptions): Promise<boolean> {
    this.fileOf(id);
    const [deleted] = await this.commit([{ id, decide: (current) => (current ? { write: null, result: true } : { result: false }) }], options);
    return deleted!;
  }

  /** The check is made at the write's turn in the commit queue, so no other write of this store comes between it and the write. */
  async putIf(snek: Snek, expected: Snek | null, options?: WriteOptions): Promise<ConditionalWriteResult<{ created: boolean }>> {
    this.fileOf(snek.id);
    const record = recordOf(snek);
    const write: Write<ConditionalWriteResult<{ created: boolean }>> = {
      id: snek.id,
      decide: (current) => (sameSnek(current, expected ?? undefined) ? { write: record, result: { ok: true, created: current === undefined } } : { result: { ok: false, current: copyOf(current) } }),
    };
    const [result] = await this.commit([write], options);
    return result!;
  }

  async deleteIf(id: string, expected: Snek, options?: WriteOptions): Promise<ConditionalWriteResult<object>> {
    this.fileOf(id);
    const write: Write<ConditionalWriteResult<object>> = {
      id,
      decide: (current) => (sameSnek(current, expected) ? { write: null, result: { ok: true } } : { result: { ok: false, current: copyOf(current) } }),
    };
    const [result] = await this.commit([write], options);
    return result!;
  }

  /** Bulk load: the changes of a batch share one journal fsync, records are written in parallel and the folder is synced once. */
  async putMany(sneks: readonly Snek[], options?: WriteOptions): Promise<{ created: number }> {
    for (const snek of sneks) this.fileOf(snek.id);
    const results = await this.commit(sneks.map((snek) => putting(recordOf(snek))), options);
    return { created: results.filter((result) => result.created).length };
  }

  /** As putMany, but an id the store holds, or one given earlier in `sneks`, is left alone. */
  async createMany(sneks: readonly Snek[], options?: WriteOptions): Promise<{ created: string[] }> {
    for (const snek of sneks) this.fileOf(snek.id);
    const writes = sneks.map((snek): Write<string | undefined> => {
      const record = recordOf(snek);
      return { id: snek.id, decide: (current) => (current ? { result: undefined } : { write: record, result: record.id }) };
    });
    return { created: (await this.commit(writes, options)).filter((id) => id !== undefined) };
  }

  /** Committed alone in the write queue, through the journal like any batch (see commit-queue.ts). */
  async replayChanges(changes: readonly Change[]): Promise<void> {
    this.assertOpen();
    checkReplayBatch(changes, 'fs');
    for (const change of changes) this.fileOf(change.id);
    await this.commits.replay(changes);
  }

  async changes(query?: ChangeQuery): Promise<Change[]> {
    this.assertOpen();
    this.assertFolder();
    return this.log.read(query);
  }

  async latestChanges(ids: readonly string[]): Promise<Change[]> {
    this.assertOpen();
    this.assertFolder();
    return this.log.latest(ids);
  }

  /**
   * The index and the log as they are between two commits (a batch updates both in one synchronous step, after its
   * journal fsync), copied as arrays of pointers: a batch that lands later replaces records, never changes them.
   */
  async snapshot(): Promise<SnapshotView> {
    this.assertOpen();
    this.assertFolder();
    const view = snapshotView(arraySnapshot({ sneks: this.index.ordered(), changes: [...this.log.all()], label: `A snapshot of the fs store on ${this.dir}`, release: () => void this.snapshots.delete(view) }));
    this.snapshots.add(view);
    return view;
  }

  async list(query: SnekQuery = {}): Promise<SnekPage> {
    this.assertOpen();
    this.assertFolder();
    const { entries, nextCursor } = this.index.page(query);
    return { items: entries.map((snek) => ({ ...snek })), nextCursor };
  }

  async countTypes(): Promise<TypeCount[]> {
    this.assertOpen();
    this.assertFolder();
    return this.index.countTypes();
  }

  async browse(query: BrowseQuery): Promise<BrowsePage> {
    this.assertOpen();
    this.assertFolder();
    const { items, more } = this.index.browse(query);
    return { items: items.map(({ entry, position }) => ({ snek: { ...entry }, position })), more };
  }

  /** The name order and trigram postings are built on the first search (about 0.6 s at 100,000 sneks), not at open. */
  async search(query: SearchQuery): Promise<SearchPage> {
    this.assertOpen();
    this.assertFolder();
    const { items, more } = this.index.search(query);
    return { items: items.map(({ entry, rank }) => ({ snek: { ...entry }, rank })), more };
  }

  async seeded(ids: readonly string[]): Promise<string[]> {
    this.assertOpen();
    return ids.filter((id) => this.seededIds.has(id));
  }

  async recordSeeded(ids: readonly string[]): Promise<void> {
    await this.ledgerWrites.run(LEDGER_KEY, async () => {
      this.assertOpen();
      const next = new Set([...this.seededIds, ...ids]);
      if (next.size === this.seededIds.size) return;
      await writeSeedLedger(this.dir, next);
      this.seededIds = next;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.commits.idle();
    await this.ledgerWrites.idle();
    // Only when every committed change reached its record, durably (else the next open must read them and redo),
    // and when the journal holds any: an empty one spares open nothing.
    const journalBytes = this.journal.wholeBytes;
    if (this.commits.recordsBehind === 0 && journalBytes !== undefined && this.commits.lastSeq > 0) {
      await this.commits
        .syncRecords()
        .then(() => writeCleanClose(this.dir, { journalBytes, lastSeq: this.commits.lastSeq }))
        .catch(() => undefined);
    }
    this.index.clear();
    this.log.clear();
    await Promise.all([...this.snapshots].map((view) => view.close()));
    await this.unlock();
  }

  async status(): Promise<Record<string, unknown>> {
    this.assertFolder();
    return {
      records: this.index.size,
      skipped: this.skipped.length,
      skippedFiles: this.skipped.slice(0, 20),
      changes: this.log.size,
      redoneAtOpen: this.redone,
      recordsBehindJournal: this.commits.recordsBehind,
    };
  }

  private commit<R>(writes: ReadonlyArray<Write<R>>, options: WriteOptions | undefined): Promise<R[]> {
    this.assertOpen();
    return this.commits.submit(writes, options?.actor) as Promise<R[]>;
  }

  /** The record's path. Ids are checked here again, so no id can name a path outside `dir`. */
  private fileOf(id: string): string {
    this.assertOpen();
    if (typeof id !== 'string' || !SLUG_PATTERN.test(id)) {
      throw new SnekError('SNEK_INVALID', `The fs store refuses the id ${JSON.stringify(id)}: ids must be slugs (a-z, 0-9, ".", "_", "-").`);
    }
    const file = recordFile(this.dir, id);
    if (path.dirname(file) !== this.dir) throw new SnekError('SNEK_INVALID', `The fs store refuses the id ${JSON.stringify(id)}: it leaves ${this.dir}.`);
    return file;
  }

  // A vanished folder is an outage, not an empty store: reads fail too, though they are served from memory.
  // One statSync per event-loop turn, however many reads the turn holds: a thread-pool round trip per read
  // cost B3 a third of its speed.
  private assertFolder(): void {
    if (this.folderSeenThisTurn) return;
    let isDirectory = false;
    try {
      isDirectory = statSync(this.dir).isDirectory();
    } catch {
      // Gone, or no longer ours to read: either way the folder cannot serve.
    }
    if (!isDirectory) {
      throw new SnekError('STORE_UNAVAILABLE', `The fs store folder ${this.dir} has vanished. Restore it (or its mount), then restart the server.`);
    }
    this.folderSeenThisTurn = true;
    setImmediate(() => (this.folderSeenThisTurn = false));
  }

  private async load(): Promise<void> {
    const names = await readdir(this.dir);
    this.seededIds = await readSeedLedger(this.dir);
    await Promise.all(names.filter((name) => name.startsWith('.') && name.endsWith(TEMP_SUFFIX)).map((name) => unlink(path.join(this.dir, name)).catch(() => undefined)));
    const cleanClose = await takeCleanClose(this.dir);
    const { journal, changes } = await ChangeJournal.open(this.dir);
    this.log.load(changes);
    // After a clean close every record shows its id's newest change, and redo would make it so anyway: a record
    // whose newest change is a put is taken from the journal, not read. The others are read, as after a crash.
    const clean = cleanClose !== undefined && cleanClose.journalBytes === journal.wholeBytes && cleanClose.lastSeq === (changes.at(-1)?.seq ?? 0);
    const unread = clean ? names.filter((name) => !this.takenFromJournal(name)) : names;
    for (const record of readRecords(this.dir, unread)) {
      if ('snek' in record) this.index.set(record.snek, this.log.newest(record.snek.id)?.seq ?? 0);
      else this.skipped.push(record);
    }
    this.redone = await this.redo();
    this.journal = journal;
    this.commits = new CommitQueue({ index: this.index, log: this.log, journal, seq: changes.at(-1)?.seq ?? 0, fileOf: (id) => recordFile(this.dir, id) });
    await this.commits.compactIfDue();
  }

  /** Whether `name` is the record of an id whose newest change is a put, now in the index from the journal. */
  private takenFromJournal(name: string): boolean {
    if (!name.endsWith(RECORD_SUFFIX) || name.startsWith('.')) return false;
    const change = this.log.newest(name.slice(0, -RECORD_SUFFIX.length));
    if (change?.op !== 'put') return false;
    this.index.set(change.snek!, change.seq);
    return true;
  }

  /**
   * Applies each id's newest change that its record does not show: a crash came after the change was committed to
   * the journal and before its record was replaced. Gives how many records it rewrote or removed.
   */
  private async redo(): Promise<number> {
    const unreadable = new Set(this.skipped.map((entry) => entry.file));
    const redone = new Set<string>();
    for (const id of this.log.ids()) {
      const change = this.log.newest(id)!;
      const record = this.index.get(id);
      const file = this.fileOf(id);
      const readable = unreadable.size === 0 || !unreadable.has(file);
      if (change.op === 'put' && readable && sameSnek(record, change.snek)) {
        // The index and the log share the snek: memory holds the current version once.
        change.snek = record;
        continue;
      }
      if (change.op === 'delete' && readable && record === undefined) continue;
      if (change.op === 'put') {
        await writeFileAtomic(file, JSON.stringify(change.snek), { syncDir: false });
        this.index.set(change.snek!, change.seq);
      } else {
        await unlinkIfThere(file);
        this.index.delete(id);
      }
      redone.add(file);
    }
    if (redone.size === 0) return 0;
    await syncDir(this.dir);
    this.skipped = this.skipped.filter((entry) => !redone.has(entry.file));
    return redone.size;
  }

  private assertOpen(): void {
    if (this.closed) throw new SnekError('STORE_CLOSED', `The fs store on ${this.dir} is closed. Open a new one.`);
  }
}
