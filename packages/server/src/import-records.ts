import { checkSnek, formatIssues, slugify, snekSchema, type Snek } from '@snek/core';
import { isHistoryLine } from './history-lines.js';

/**
 * A record read from a source, or why it could not be read; `at` is its place, named by its source's `where`. A
 * `snek` is a record checked already (a JSON line, in jsonl-worker.ts); a `value` is checked by the import.
 */
export type Candidate = { at: number; value: unknown } | { at: number; unreadable: string } | { snek: Snek };

/** A JSON line as the import takes it: a history line as its value, a snek checked, or why it is neither. */
export function readRecord(line: string, at: number): Candidate {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { at, unreadable: `not JSON (${(error as Error).message})` };
  }
  if (isHistoryLine(value)) return { at, value };
  const snek = toSnek(value);
  return typeof snek === 'string' ? { at, unreadable: snek } : { snek };
}

/** A valid snek, or why not. A missing id is made from the name. */
export function toSnek(value: unknown): Snek | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  const withId = record['id'] != null ? record : { ...record, id: typeof record['name'] === 'string' ? slugify(record['name']) : undefined };
  // The fast check gives what snekSchema would; zod runs only to say what is wrong.
  const snek = checkSnek(withId);
  if (snek) return snek;
  const parsed = snekSchema.safeParse(withId);
  return parsed.success ? parsed.data : formatIssues(parsed.error);
}
