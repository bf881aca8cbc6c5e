import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SnekStore, StoreFileBackup } from '@snek/core';
import { failsWith, same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { TRICKY_CONTENT, pageThrough, sampleSnek } from '../sample-sneks.js';

async function inTempDir(work: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'snek-kit-backup-'));
  try {
    await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The optional StoreFileBackup: a consistent copy of a one-file store, made while it serves. */
export function fileBackupSuite(harness: Harness<SnekStore & StoreFileBackup>): void {
  const opening = harness.options.openBackup ? harness : harness.skipping('no openBackup option was given');
  harness.describe('backupTo(file) (optional: StoreFileBackup)', () => {
    opening.test('copies every snek byte for byte into a new file, which a store opens; later writes stay out of it', async (stores) => {
      const store = await stores.fresh();
      const tricky = Object.values(TRICKY_CONTENT).map((content, i) => sampleSnek(`t${i}`, { content }));
      for (const snek of tricky) await store.put(snek);
      await inTempDir(async (dir) => {
        const file = path.join(dir, 'backup');
        const { bytes } = await store.backupTo(file);
        same(bytes, (await stat(file)).size, 'the size backupTo resolves');
        await store.put(sampleSnek('after'));
        const copy = await stores.openBackup(file);
        same(await pageThrough(copy), [...tricky].sort((a, b) => (a.id < b.id ? -1 : 1)), 'the backup');
      });
    });

    harness.test('refuses a file that exists with a SnekError USAGE, leaving it as it was; replace: true replaces it, with mode 0600', async (stores) => {
      const store = await stores.fresh();
      await store.put(sampleSnek('a'));
      await inTempDir(async (dir) => {
        const file = path.join(dir, 'taken');
        await writeFile(file, 'not a backup');
        await failsWith('USAGE', 'backupTo() of a file that exists', () => store.backupTo(file));
        same(await readFile(file, 'utf8'), 'not a backup', 'the file that was there');
        await store.backupTo(file, { replace: true });
        assert.notEqual(await readFile(file, 'utf8'), 'not a backup', 'the file after replace: true');
        // It holds every snek (and, in a change log, people's emails): readable by its owner only.
        same((await stat(file)).mode & 0o777, 0o600, 'the mode of the backup file');
      });
    });
  });
}
