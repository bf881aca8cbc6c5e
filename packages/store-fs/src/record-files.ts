import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SLUG_PATTERN, type Snek } from '@snek/core';

export const RECORD_SUFFIX = '.json';

/** The record file of `id`, which must be checked already (see FsSnekStore's fileOf). */
export const recordFile = (dir: string, id: string): string => path.join(dir, id + RECORD_SUFFIX);

/** A record file open could not use, and why. */
export interface Skipped {
  file: string;
  reason: string;
}

/**
 * Every record among `names` (the folder's entries): a snek, or why the file was skipped. Read synchronously: at
 * open nothing else waits on the event loop, and for many small files this is several times faster than going
 * through the thread pool.
 */
export function* readRecords(dir: string, names: readonly string[]): Generator<{ snek: Snek } | Skipped> {
  for (const name of names) {
    if (!name.endsWith(RECORD_SUFFIX) || name.startsWith('.')) continue;
    const file = path.join(dir, name);
    try {
      const record = JSON.parse(readFileSync(file, 'utf8')) as Snek;
      const reason = recordProblem(record, name);
      yield reason ? { file, reason } : { snek: { id: record.id, name: record.name, type: record.type, content: record.content } };
    } catch (error) {
      yield { file, reason: (error as Error).message };
    }
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
