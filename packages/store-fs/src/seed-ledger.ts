import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SnekError } from '@snek/core';
import { writeFileAtomic } from './atomic-file.js';

/** The ids of the pack sneks seeded into the folder, as a JSON array. A dot file: never read as a record. */
export const SEED_LEDGER_FILE = '.snek-seeded.json';

/** The recorded ids; none when the file is absent (a new folder, or one from before packs). */
export async function readSeedLedger(dir: string): Promise<Set<string>> {
  const file = path.join(dir, SEED_LEDGER_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw new SnekError('STORE_INIT_FAILED', `The fs store cannot read its seed ledger ${file} (${(error as Error).message}). Check its permissions.`, { cause: error });
  }
  let ids: unknown;
  try {
    ids = JSON.parse(text);
  } catch {
    ids = undefined;
  }
  // Written atomically, so a bad ledger was edited by hand; guessing could bring deleted sneks back.
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    throw new SnekError('STORE_INIT_FAILED', `The fs store's seed ledger ${file} is not a JSON array of ids. Restore it, or delete it to have every pack snek that is missing seeded again.`);
  }
  return new Set(ids as string[]);
}

/** Replaces the ledger atomically and durably, as records are written. */
export function writeSeedLedger(dir: string, ids: ReadonlySet<string>): Promise<void> {
  return writeFileAtomic(path.join(dir, SEED_LEDGER_FILE), JSON.stringify([...ids].sort()));
}
