import { access, open, rename, stat, unlink } from 'node:fs/promises';
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
  if (!replace && (await exists(final))) {
    throw new SnekError('USAGE', `The backup file ${final} exists already. Name a new file, or pass --force to replace it.`);
  }
  if (!(await exists(path.dirname(final)))) {
    throw new SnekError('USAGE', `The folder of the backup file ${final} does not exist. Create it first, or name a file in a folder that exists.`);
  }
  const temp = path.join(path.dirname(final), `.${path.basename(final)}.${process.pid}.partial`);
  await unlink(temp).catch(() => undefined);
  const db = await openConnection(source, driver);
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
