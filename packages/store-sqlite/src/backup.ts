import { access, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { SnekError } from '@snek/core';
import { openConnection, type SqliteDriverName } from './driver.js';

/**
 * VACUUM INTO a temp file beside `target`, on a connection of its own: one read transaction, so writers (this server's
 * and others on the file) go on, and the copy is of one moment, compacted, without the WAL. The temp file is fsynced
 * and renamed, so `target` only ever names a whole backup. Both drivers run it the same way.
 */
export async function backupInto(source: string, target: string, driver: SqliteDriverName, replace: boolean): Promise<{ bytes: number }> {
  const final = path.resolve(target);
  if (!(await exists(path.dirname(final)))) {
    throw new SnekError('USAGE', `The folder of the backup file ${final} does not exist. Create it first, or name a file in a folder that exists.`);
  }
  const live = await liveFile(source, final);
  if (live) {
    throw new SnekError('USAGE', `The backup file ${final} is the store's own ${live}, which a backup must not replace. Name a file outside the store.`);
  }
  if (!replace && (await exists(final))) {
    throw new SnekError('USAGE', `The backup file ${final} exists already. Name a new file, or pass --force to replace it.`);
  }
  const temp = path.join(path.dirname(final), `.${path.basename(final)}.${process.pid}.partial`);
  await unlink(temp).catch(() => undefined);
  // Made empty first, readable by its owner only (it holds every snek and, in the log, people's emails): VACUUM INTO
  // writes into an empty file, and SQLite keeps an existing file's mode.
  await (await open(temp, 'wx', 0o600)).close();
  const db = await openConnection(source, driver).catch(async (error: unknown) => {
    await unlink(temp).catch(() => undefined);
    throw error;
  });
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    db.prepare('VACUUM INTO ?').run(temp);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    db.close();
  }
  try {
    await syncFile(temp, 'r+');
    await rename(temp, final);
    await syncFile(path.dirname(final), 'r');
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return { bytes: (await stat(final)).size };
}

/**
 * Which of the store's files `target` names: the database or its -wal, -shm or -journal, by real path, or by device
 * and inode when both exist (a hard link). Undefined when none.
 */
async function liveFile(source: string, target: string): Promise<string | undefined> {
  const database = await realpath(source).catch(() => path.resolve(source));
  const named = await realpath(target).catch(async () => path.join(await realpath(path.dirname(target)), path.basename(target)));
  const found = await stat(target).catch(() => undefined);
  for (const [suffix, what] of [['', 'database file'], ['-wal', 'WAL file'], ['-shm', 'shared-memory file'], ['-journal', 'journal']] as const) {
    const file = database + suffix;
    if (named === file) return `${what} ${file}`;
    const companion = found && (await stat(file).catch(() => undefined));
    if (companion && companion.dev === found.dev && companion.ino === found.ino) return `${what} ${file}`;
  }
  return undefined;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

async function syncFile(file: string, flags: string): Promise<void> {
  const handle = await open(file, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
