import { readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { KeyedMutex, SLUG_PATTERN, SnekError, SnekIndex, sameSnek, type ConditionalWriteResult, type Snek, type SnekPage, type SnekQuery, type SnekStore, type StoreBulkCreator, type StoreBulkWriter, type StoreConditionalWriter, type StoreSeedLedger, type StoreStatusReporter, type StoreTypeCounter, type TypeCount } from '@snek/core';
import { TEMP_SUFFIX, syncDir, unlinkDurably, writeFileAtomic } from './atomic-file.js';
import { lockDir } from './dir-lock.js';
import { readSeedLedger, writeSeedLedger } from './seed-ledger.js';

const RECORD_SUFFIX = '.json';
// Parallel writes in a bulk load: enough to keep the disk busy, few enough to stay under the fd limit.
const BULK_CONCURRENCY = 64;
// The seed ledger's key in the write queue: not a slug, so no snek id can share it.
const LEDGER_KEY = '.seed-ledger';

interface Skipped {
  file: string;
  reason: string;
}

/**
 * One JSON file per snek in `dir`, named `<id>.json`. Writes replace files atomically and durably.
 * Open reads every record anyway, so the store keeps them in memory with an index: reads never touch
 * the disk, and the files are the durable copy.
 */
export class FsSnekStore implements SnekStore, StoreStatusReporter, StoreBulkWriter, StoreBulkCreator, StoreConditionalWriter, StoreTypeCounter, StoreSeedLedger {
  private readonly index = new SnekIndex<Snek>();
  /** The pack sneks seeded so far, also in .snek-seeded.json. */
  private seededIds = new Set<string>();
  private readonly writes = new KeyedMutex();
  private readonly skipped: Skipped[] = [];
  private closed = false;
  private folderSeenThisTurn = false;

  private constructor(
    readonly dir: string,
    private readonly unlock: () => Promise<void>,
  ) {}

  /** Locks `dir`, sweeps temp files a crash left, and indexes every record; unreadable ones are skipped and reported. */
  static async open(dir: string): Promise<FsSnekStore> {
    await mkdir(dir, { recursive: true });
    const store = new FsSnekStore(dir, await lockDir(dir));
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
    const snek = this.index.get(id);
    return snek && { ...snek };
  }

  async put(snek: Snek): Promise<{ created: boolean }> {
    const file = this.fileOf(snek.id);
    const record: Snek = { id: snek.id, name: snek.name, type: snek.type, content: snek.content };
    return this.writes.run(snek.id, async () => {
      this.assertOpen();
      await writeFileAtomic(file, JSON.stringify(record));
      return { created: this.index.set(record) };
    });
  }

  /** The check runs in the id's write queue, so no other write of this store comes between it and the write. */
  async putIf(snek: Snek, expected: Snek | null): Promise<ConditionalWriteResult<{ created: boolean }>> {
    const file = this.fileOf(snek.id);
    const record: Snek = { id: snek.id, name: snek.name, type: snek.type, content: snek.content };
    return this.writes.run(snek.id, async () => {
      this.assertOpen();
      const current = this.index.get(snek.id);
      if (!sameSnek(current, expected ?? undefined)) return { ok: false, current: current && { ...current } };
      await writeFileAtomic(file, JSON.stringify(record));
      return { ok: true, created: this.index.set(record) };
    });
  }

  async deleteIf(id: string, expected: Snek): Promise<ConditionalWriteResult<object>> {
    const file = this.fileOf(id);
    return this.writes.run(id, async () => {
      this.assertOpen();
      const current = this.index.get(id);
      if (!sameSnek(current, expected)) return { ok: false, current: current && { ...current } };
      await unlinkDurably(file);
      this.index.delete(id);
      return { ok: true };
    });
  }

  /** Bulk load: files are written in parallel and the folder is synced once at the end. */
  async putMany(sneks: readonly Snek[]): Promise<{ created: number }> {
    const created = await this.writeMany(sneks, false);
    return { created: created.length };
  }

  /** As putMany, but an id the store holds is left alone (checked in the id's write queue). */
  async createMany(sneks: readonly Snek[]): Promise<{ created: string[] }> {
    return { created: await this.writeMany(sneks, true) };
  }

  private async writeMany(sneks: readonly Snek[], onlyNew: boolean): Promise<string[]> {
    const created: string[] = [];
    for (let at = 0; at < sneks.length; at += BULK_CONCURRENCY) {
      const slice = sneks.slice(at, at + BULK_CONCURRENCY);
      const files = slice.map((snek) => this.fileOf(snek.id));
      await Promise.all(
        slice.map((snek, i) =>
          this.writes.run(snek.id, async () => {
            this.assertOpen();
            if (onlyNew && this.index.has(snek.id)) return;
            const record: Snek = { id: snek.id, name: snek.name, type: snek.type, content: snek.content };
            await writeFileAtomic(files[i]!, JSON.stringify(record), { syncDir: false });
            if (this.index.set(record)) created.push(snek.id);
          }),
        ),
      );
    }
    await syncDir(this.dir);
    return created;
  }

  async delete(id: string): Promise<boolean> {
    const file = this.fileOf(id);
    return this.writes.run(id, async () => {
      this.assertOpen();
      if (!this.index.has(id)) return false;
      await unlinkDurably(file);
      return this.index.delete(id);
    });
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

  async seeded(ids: readonly string[]): Promise<string[]> {
    this.assertOpen();
    return ids.filter((id) => this.seededIds.has(id));
  }

  async recordSeeded(ids: readonly string[]): Promise<void> {
    await this.writes.run(LEDGER_KEY, async () => {
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
    await this.writes.idle();
    this.index.clear();
    await this.unlock();
  }

  async status(): Promise<Record<string, unknown>> {
    this.assertFolder();
    return { records: this.index.size, skipped: this.skipped.length, skippedFiles: this.skipped.slice(0, 20) };
  }

  /** The record's path. Ids are checked here again, so no id can name a path outside `dir`. */
  private fileOf(id: string): string {
    this.assertOpen();
    if (typeof id !== 'string' || !SLUG_PATTERN.test(id)) {
      throw new SnekError('SNEK_INVALID', `The fs store refuses the id ${JSON.stringify(id)}: ids must be slugs (a-z, 0-9, ".", "_", "-").`);
    }
    const file = path.join(this.dir, id + RECORD_SUFFIX);
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

  // Reads every record synchronously: at open nothing else waits on the event loop, and for many small files
  // this is several times faster than going through the thread pool.
  private async load(): Promise<void> {
    const names = await readdir(this.dir);
    this.seededIds = await readSeedLedger(this.dir);
    await Promise.all(names.filter((name) => name.startsWith('.') && name.endsWith(TEMP_SUFFIX)).map((name) => unlink(path.join(this.dir, name)).catch(() => undefined)));
    for (const name of names) {
      if (!name.endsWith(RECORD_SUFFIX) || name.startsWith('.')) continue;
      const file = path.join(this.dir, name);
      try {
        const record = JSON.parse(readFileSync(file, 'utf8')) as Snek;
        const reason = recordProblem(record, name);
        if (reason) this.skipped.push({ file, reason });
        else this.index.set({ id: record.id, name: record.name, type: record.type, content: record.content });
      } catch (error) {
        this.skipped.push({ file, reason: (error as Error).message });
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new SnekError('STORE_CLOSED', `The fs store on ${this.dir} is closed. Open a new one.`);
  }
}

/**
 * Why a record read at open cannot be used, or undefined. Cheaper than the full schema: this store wrote
 * the file from a validated snek, so a record is either whole or torn, renamed, or edited by hand.
 */
function recordProblem(record: unknown, fileName: string): string | undefined {
  if (typeof record !== 'object' || record === null) return 'not a JSON object';
  const { id, name, type, content } = record as Record<string, unknown>;
  if (typeof id !== 'string' || typeof name !== 'string' || typeof type !== 'string' || typeof content !== 'string') return 'not a snek: id, name, type and content must be strings';
  if (!SLUG_PATTERN.test(type)) return `not a valid snek: type "${type.slice(0, 40)}" is not a slug`;
  if (id + RECORD_SUFFIX !== fileName) return `holds the id "${id.slice(0, 80)}", not the one its name gives`;
  return undefined;
}
