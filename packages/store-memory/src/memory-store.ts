import { DEFAULT_HISTORY_KEEP, SnekError, changesToReplay, checkReplayBatch, seqsAtOrBelow, type StoreChangeReplay, SnekIndex, sameSnek, type Change, type ChangeQuery, type StoreChangeLog, type WriteOptions, type ConditionalWriteResult, type Snek, type SnekPage, type SnekQuery, type SnekStore, type StoreBulkCreator, type StoreConditionalWriter, type StoreSeedLedger, type StoreTypeCounter, type TypeCount, type BrowsePage, type BrowseQuery, type SearchPage, type SearchQuery, type StoreBrowse, type StoreSearch, arraySnapshot, snapshotView, type SnapshotView, type StoreSnapshot } from '@snek/core';
import { MemoryChangeLog } from './change-log.js';

/**
 * Sneks in core's SnekIndex, which keeps them whole, so filtered pages never scan every snek. Its seed ledger is
 * in memory too: it starts empty with the sneks, so every start seeds every pack snek again. So does its change log.
 */
export class MemorySnekStore implements SnekStore, StoreConditionalWriter, StoreBulkCreator, StoreTypeCounter, StoreSeedLedger, StoreChangeLog, StoreChangeReplay, StoreSnapshot, StoreBrowse, StoreSearch {
  private readonly index = new SnekIndex<Snek>();
  private readonly seededIds = new Set<string>();
  private readonly log: MemoryChangeLog;
  private readonly snapshots = new Set<SnapshotView>();
  private closed = false;

  constructor(options: { historyKeep?: number } = {}) {
    this.log = new MemoryChangeLog(options.historyKeep ?? DEFAULT_HISTORY_KEEP);
  }

  async get(id: string): Promise<Snek | undefined> {
    this.assertOpen();
    const snek = this.index.get(id);
    return snek && { ...snek };
  }

  async put(snek: Snek, options?: WriteOptions): Promise<{ created: boolean }> {
    this.assertOpen();
    return { created: this.write(snek, options) };
  }

  async delete(id: string, options?: WriteOptions): Promise<boolean> {
    this.assertOpen();
    return this.remove(id, options);
  }

  // Check and write run in one synchronous step: no other call can come between them.
  async putIf(snek: Snek, expected: Snek | null, options?: WriteOptions): Promise<ConditionalWriteResult<{ created: boolean }>> {
    this.assertOpen();
    const current = this.index.get(snek.id);
    if (!sameSnek(current, expected ?? undefined)) return { ok: false, current: current && { ...current } };
    return { ok: true, created: this.write(snek, options) };
  }

  async deleteIf(id: string, expected: Snek, options?: WriteOptions): Promise<ConditionalWriteResult<object>> {
    this.assertOpen();
    const current = this.index.get(id);
    if (!sameSnek(current, expected)) return { ok: false, current: current && { ...current } };
    this.remove(id, options);
    return { ok: true };
  }

  async createMany(sneks: readonly Snek[], options?: WriteOptions): Promise<{ created: string[] }> {
    this.assertOpen();
    const created: string[] = [];
    for (const snek of sneks) {
      if (this.index.has(snek.id)) continue;
      this.write(snek, options);
      created.push(snek.id);
    }
    return { created };
  }

  async changes(query?: ChangeQuery): Promise<Change[]> {
    this.assertOpen();
    return this.log.read(query);
  }

  async latestChanges(ids: readonly string[]): Promise<Change[]> {
    this.assertOpen();
    return this.log.latest(ids);
  }

  // Checked and applied in one synchronous step: no other write comes between, and a refused batch writes nothing.
  async replayChanges(changes: readonly Change[]): Promise<void> {
    this.assertOpen();
    checkReplayBatch(changes, 'memory');
    const newest = this.log.newest;
    const logged = seqsAtOrBelow(changes, newest).flatMap((seq) => this.log.at(seq) ?? []);
    for (const change of changesToReplay(changes, newest, logged, 'memory')) {
      let record: Snek | undefined;
      if (change.op === 'put') this.index.set((record = { id: change.id, name: change.snek!.name, type: change.snek!.type, content: change.snek!.content }), change.seq);
      else this.index.delete(change.id);
      this.log.replay(change, record);
    }
  }

  /** The index's records and the log's changes, copied as arrays of pointers: later writes replace records, never change them. */
  async snapshot(): Promise<SnapshotView> {
    this.assertOpen();
    const view = snapshotView(arraySnapshot({ sneks: this.index.ordered(), changes: this.log.kept(), label: 'A snapshot of the memory store', release: () => void this.snapshots.delete(view) }));
    this.snapshots.add(view);
    return view;
  }

  async list(query: SnekQuery = {}): Promise<SnekPage> {
    this.assertOpen();
    const { entries, nextCursor } = this.index.page(query);
    return { items: entries.map((snek) => ({ ...snek })), nextCursor };
  }

  async countTypes(): Promise<TypeCount[]> {
    this.assertOpen();
    return this.index.countTypes();
  }

  async browse(query: BrowseQuery): Promise<BrowsePage> {
    this.assertOpen();
    const { items, more } = this.index.browse(query);
    return { items: items.map(({ entry, position }) => ({ snek: { ...entry }, position })), more };
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    this.assertOpen();
    const { items, more } = this.index.search(query);
    return { items: items.map(({ entry, rank }) => ({ snek: { ...entry }, rank })), more };
  }

  async seeded(ids: readonly string[]): Promise<string[]> {
    this.assertOpen();
    return ids.filter((id) => this.seededIds.has(id));
  }

  async recordSeeded(ids: readonly string[]): Promise<void> {
    this.assertOpen();
    for (const id of ids) this.seededIds.add(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.index.clear();
    this.seededIds.clear();
    this.log.clear();
    await Promise.all([...this.snapshots].map((view) => view.close()));
  }

  // The write and its change in one synchronous step: no other call comes between them.
  private write(snek: Snek, options: WriteOptions | undefined): boolean {
    const record: Snek = { id: snek.id, name: snek.name, type: snek.type, content: snek.content };
    return this.index.set(record, this.log.append(snek.id, record, options?.actor));
  }

  private remove(id: string, options: WriteOptions | undefined): boolean {
    if (!this.index.delete(id)) return false;
    this.log.append(id, undefined, options?.actor);
    return true;
  }

  private assertOpen(): void {
    if (this.closed) throw new SnekError('STORE_CLOSED', 'The memory store is closed. Create a new store; a closed one cannot be reopened.');
  }
}
