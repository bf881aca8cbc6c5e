import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Temp files start with a dot and end in .tmp: never a record, swept at open. */
export const TEMP_SUFFIX = '.tmp';

/** Makes renames and unlinks in `dir` durable: without it a power cut can undo them. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `data` to a new temp file beside `file`, and fsyncs it unless `sync` is false; gives its path, to be renamed
 * over `file`.
 */
export async function writeTempBeside(file: string, data: string, { sync = true }: { sync?: boolean } = {}): Promise<string> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    try {
      await handle.writeFile(data, 'utf8');
      if (sync) await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return temp;
}

/**
 * Replaces `file` with `data` so that a crash leaves either the old or the new bytes, never a mix:
 * write a temp file beside it, fsync it, rename it over the target, fsync the folder.
 */
export async function writeFileAtomic(file: string, data: string, options: { syncDir?: boolean } = {}): Promise<void> {
  const temp = await writeTempBeside(file, data);
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  // A bulk writer syncs the folder once, after the last rename.
  if (options.syncDir !== false) await syncDir(path.dirname(file));
}

/** Removes `file`; false when it was not there. Not durable until the folder is synced. */
export async function unlinkIfThere(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
