import { mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { SLUG_PATTERN, SnekError, SnekIndex, snekSchema, type Snek, type SnekPage, type SnekQuery, type SnekStore, type StoreBulkWriter, type StoreStatusReporter } from '@snek/core';
import { TEMP_SUFFIX, syncDir, unlinkDurably, writeFileAtomic } from './atomic-file.js';
import { lockDir } from './dir-lock.js';
import { KeyedMutex } from './keyed-mutex.js';

const RECORD_SUFFIX = '.json';
// Enough parallel reads to keep the disk busy at open, few enough to stay under the fd limit.
const OPEN_READ_CONCURRENCY = 64;

interface Skipped {
  file: string;
  reason: string;
}

/**
 * One JSON file per snek in `dir`, named `<id>.json`. Writes replace files atomically and durably.
 * The index of ids, names and types lives in memory, built at open; the art is read from disk.
 */
export class FsSnekStore implements SnekStore, StoreStatusReporter, StoreBulkWriter {
  private readonly index = new SnekIndex();
  private readonly writes = new KeyedMutex();
  private readonly skipped: Skipped[] = [];
  private closed = false;

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
    const file = this.fileOf(id);
    return this.index.has(id) ? this.read(file) : undefined;
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

  /** Bulk load: files are written in parallel and the folder is synced once at the end. */
  async putMany(sneks: readonly Snek[]): Promise<{ created: number }> {
    let created = 0;
    for (let at = 0; at < sneks.length; at += OPEN_READ_CONCURRENCY) {
      const slice = sneks.slice(at, at + OPEN_READ_CONCURRENCY);
      const files = slice.map((snek) => this.fileOf(snek.id));
      await Promise.all(
        slice.map((snek, i) =>
          this.writes.run(snek.id, async () => {
            this.assertOpen();
            const record: Snek = { id: snek.id, name: snek.name, type: snek.type, content: snek.content };
            await writeFileAtomic(files[i]!, JSON.stringify(record), { syncDir: false });
            if (this.index.set(record)) created++;
          }),
        ),
      );
    }
    await syncDir(this.dir);
    return { created };
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
    const { ids, nextCursor } = this.index.page(query);
    const sneks = await Promise.all(ids.map((id) => this.read(this.fileOf(id))));
    // A snek deleted between paging and reading is simply gone from this page.
    return { items: sneks.filter((snek): snek is Snek => snek !== undefined), nextCursor };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes.idle();
    this.index.clear();
    await this.unlock();
  }

  async status(): Promise<Record<string, unknown>> {
    await this.assertFolder();
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

  private async read(file: string): Promise<Snek | undefined> {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as Snek;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // A record deleted meanwhile is simply gone; a vanished folder is an outage, not an empty store.
      await this.assertFolder();
      return undefined;
    }
  }

  private async assertFolder(): Promise<void> {
    const info = await stat(this.dir).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new SnekError('STORE_UNAVAILABLE', `The fs store folder ${this.dir} has vanished. Restore it (or its mount), then restart the server.`);
    }
  }

  private async load(): Promise<void> {
    const names = await readdir(this.dir);
    await Promise.all(names.filter((name) => name.startsWith('.') && name.endsWith(TEMP_SUFFIX)).map((name) => unlink(path.join(this.dir, name)).catch(() => undefined)));
    const records = names.filter((name) => name.endsWith(RECORD_SUFFIX) && !name.startsWith('.'));
    for (let at = 0; at < records.length; at += OPEN_READ_CONCURRENCY) {
      await Promise.all(records.slice(at, at + OPEN_READ_CONCURRENCY).map((name) => this.loadRecord(name)));
    }
  }

  private async loadRecord(name: string): Promise<void> {
    const file = path.join(this.dir, name);
    try {
      const parsed = snekSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (!parsed.success) return void this.skipped.push({ file, reason: `not a valid snek: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}` });
      if (parsed.data.id + RECORD_SUFFIX !== name) return void this.skipped.push({ file, reason: `holds the id "${parsed.data.id}", not the one its name gives` });
      this.index.set(parsed.data);
    } catch (error) {
      this.skipped.push({ file, reason: (error as Error).message });
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new SnekError('STORE_CLOSED', `The fs store on ${this.dir} is closed. Open a new one.`);
  }
}
