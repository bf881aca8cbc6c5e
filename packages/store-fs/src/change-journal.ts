import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { SnekError, type Change } from '@snek/core';
import { TEMP_SUFFIX, syncDir } from './atomic-file.js';
import { parseChange } from './journal-line.js';

/** The change log on disk: one JSON change per line, appended, oldest first. A dot file: never read as a record. */
export const JOURNAL_FILE = '.snek-changes.jsonl';
// A compacted journal is written this many lines at a time.
const REWRITE_CHUNK = 1000;

const line = (change: Change) => `${JSON.stringify(change)}\n`;

/**
 * The journal of the fs store: the write-ahead log of every write. A change is appended and fsynced before its record
 * file is replaced, so after a crash at any point the journal holds every change whose write could have reached a
 * record; open redoes the newest change of each id that the records do not show.
 */
export class ChangeJournal {
  /** An append failed part way: the file may hold bytes past `bytes`, cut before the next append. */
  private torn = false;

  /** The length of the file in bytes when it holds whole lines only, else undefined. */
  get wholeBytes(): number | undefined {
    return this.torn ? undefined : this.bytes;
  }

  private constructor(
    readonly file: string,
    /** Lines in the file, dropped changes included. */
    public lines: number,
    /** The length of the file up to its last whole line. */
    private bytes: number,
  ) {}

  /**
   * Reads the journal in `dir`: its changes, oldest first. A crash during an append leaves a torn last line, whose
   * write was never acknowledged nor reached its record (the line is fsynced first): it is cut off the file. An
   * unreadable line with a whole one after it is not a crash's doing, and stops the open.
   */
  static async open(dir: string): Promise<{ journal: ChangeJournal; changes: Change[] }> {
    const file = path.join(dir, JOURNAL_FILE);
    // Read synchronously, as the records are: at open nothing else waits, and the thread pool's chunks cost more.
    let text: Buffer;
    try {
      text = readFileSync(file);
    } catch (caught) {
      const error = caught as NodeJS.ErrnoException;
      if (error.code !== 'ENOENT') throw new SnekError('STORE_INIT_FAILED', `The fs store cannot read its change journal ${file} (${error.message}). Check its permissions.`, { cause: error });
      text = Buffer.alloc(0);
    }
    const changes: Change[] = [];
    let start = 0;
    let tornAt: { offset: number; line: number; reason: string } | undefined;
    const refuse = (line: number, reason: string) =>
      new SnekError('STORE_INIT_FAILED', `The fs store's change journal ${file} has an unreadable line ${line} (${reason}), which no crash leaves. Restore the journal from a backup, or move it away to open the store with no history.`);
    let lastSeq = 0;
    for (let number = 1; start < text.length; number++) {
      const end = text.indexOf(0x0a, start);
      const parsed = end === -1 ? { problem: 'it has no end of line' } : parseChange(text.toString('utf8', start, end));
      if ('problem' in parsed) tornAt ??= { offset: start, line: number, reason: parsed.problem };
      else if (tornAt) throw refuse(tornAt.line, `${tornAt.reason}, before whole lines`);
      else if (parsed.change.seq <= lastSeq) throw refuse(number, `seq ${parsed.change.seq} does not follow seq ${lastSeq}`);
      else {
        changes.push(parsed.change);
        lastSeq = parsed.change.seq;
      }
      start = end === -1 ? text.length : end + 1;
    }
    const journal = new ChangeJournal(file, changes.length, tornAt?.offset ?? text.length);
    if (tornAt) await journal.cut();
    return { journal, changes };
  }

  /**
   * Appends `changes` and fsyncs them: once it resolves they survive a crash. After a failure the file is as it was.
   * The file is opened for each append: a file held open for writing would keep its mount from being remounted
   * read-only.
   */
  async append(changes: readonly Change[]): Promise<void> {
    const data = Buffer.from(changes.map(line).join(''), 'utf8');
    if (this.torn) await this.cut();
    const created = this.bytes === 0;
    const handle = await open(this.file, 'a', 0o644);
    try {
      await writeAll(handle, data);
      await handle.datasync();
      // A new file's name must survive a power cut too.
      if (created) await syncDir(path.dirname(this.file));
    } catch (error) {
      // Cut what part of it landed, so that no change of a write that failed is redone at the next open.
      this.torn = true;
      await handle.close().catch(() => undefined);
      await this.cut().catch(() => undefined);
      throw error;
    }
    await handle.close().catch(() => undefined);
    this.bytes += data.length;
    this.lines += changes.length;
  }

  /** Replaces the journal with `changes` atomically (temp file, fsync, rename, folder fsync): compaction. */
  async rewrite(changes: Iterable<Change>): Promise<void> {
    const dir = path.dirname(this.file);
    const temp = path.join(dir, `.${path.basename(this.file)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
    const out = await open(temp, 'wx', 0o644);
    let lines = 0;
    let bytes = 0;
    try {
      try {
        let chunk: string[] = [];
        const flush = async () => {
          const data = Buffer.from(chunk.join(''), 'utf8');
          await writeAll(out, data);
          bytes += data.length;
          chunk = [];
        };
        for (const change of changes) {
          chunk.push(line(change));
          lines++;
          if (chunk.length === REWRITE_CHUNK) await flush();
        }
        await flush();
        await out.sync();
      } finally {
        await out.close();
      }
      await rename(temp, this.file);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await syncDir(dir);
    this.lines = lines;
    this.bytes = bytes;
    this.torn = false;
  }

  /** Truncates the file to its whole lines, durably. */
  private async cut(): Promise<void> {
    const handle = await open(this.file, 'r+');
    try {
      await handle.truncate(this.bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.torn = false;
  }
}

/** Writes all of `data`: a write may take only part of it. */
async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let at = 0; at < data.length; ) at += (await handle.write(data, at, data.length - at)).bytesWritten;
}
