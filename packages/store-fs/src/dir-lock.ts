import { open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { SnekError } from '@snek/core';

export const LOCK_FILE = '.snek-store.lock';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One server per folder: a second process (or a second store in this one) gets STORE_LOCKED.
 * A lock left by a process that no longer runs, say after kill -9, is taken over.
 */
export async function lockDir(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => unlink(file).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
        throw new SnekError('STORE_LOCKED', `The fs store folder ${dir} is in use by process ${owner}${owner === process.pid ? ' (this one)' : ''}. Stop that server or give this one another dir; if no server uses it, delete ${file}.`, {
          details: { dir, pid: owner },
        });
      }
      await unlink(file).catch(() => undefined);
    }
  }
  throw new SnekError('STORE_LOCKED', `Could not lock the fs store folder ${dir}: another process keeps taking ${file}. Stop the other server.`);
}
