import { readFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { syncDir, writeFileAtomic } from './atomic-file.js';

/**
 * Written at a clean close, once every record shows its id's newest change: the journal as it was then. A dot file:
 * never read as a record. Open takes it away before any write, so it only ever describes a journal no write followed.
 */
export const CLEAN_CLOSE_FILE = '.snek-clean-close.json';

/** The journal a clean close left: its length in bytes and its last seq. */
export interface CleanClose {
  journalBytes: number;
  lastSeq: number;
}

export async function writeCleanClose(dir: string, mark: CleanClose): Promise<void> {
  await writeFileAtomic(path.join(dir, CLEAN_CLOSE_FILE), JSON.stringify(mark));
}

/**
 * The mark a clean close left in `dir`, removed durably. Undefined when there is none, or it is unreadable (then open
 * reads every record, as after a crash). Removing it is a second guard: any write after this open appends to the
 * journal first, so a mark left behind no longer matches the journal's length.
 */
export async function takeCleanClose(dir: string): Promise<CleanClose | undefined> {
  const file = path.join(dir, CLEAN_CLOSE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  await unlink(file)
    .then(() => syncDir(dir))
    .catch(() => undefined);
  try {
    const { journalBytes, lastSeq } = JSON.parse(text) as Record<string, unknown>;
    return Number.isSafeInteger(journalBytes) && Number.isSafeInteger(lastSeq) ? { journalBytes: journalBytes as number, lastSeq: lastSeq as number } : undefined;
  } catch {
    return undefined;
  }
}
