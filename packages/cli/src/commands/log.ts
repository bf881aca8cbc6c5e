import { SnekError } from '@snek/core';
import { commandContext, printJson, type GlobalArgs } from '../context.js';
import { durationWords } from '../durations.js';
import { checkIdArgument } from '../id-suggestions.js';
import type { PublicActor, Revision } from '../snek-answers.js';
import { terminalLine } from '../terminal.js';
import { usageError } from '../usage.js';

export interface LogArgs extends GlobalArgs {
  id?: string | undefined;
  /** Only the newest this many. */
  limit?: number | undefined;
}

/** `snek log ID [--limit N]`: the snek's history, newest first: seq, how long ago, who, and what they did. */
export async function log(args: LogArgs): Promise<void> {
  if (args.id === undefined) throw usageError('log', 'the ID of the snek whose history to show');
  if (args.limit !== undefined && !(Number.isSafeInteger(args.limit) && args.limit > 0)) throw new SnekError('USAGE', `--limit must be a whole number above 0, not ${args.limit}`);
  const { client } = await commandContext(args);
  await checkIdArgument(client, args.id);
  const revisions = await client.allRevisions(args.id, args.limit);
  if (args.json) return printJson(revisions);
  const now = Date.now();
  const rows = revisions.map((revision) => [String(revision.seq), when(revision.at, now), actorLabel(revision.by), terminalLine(revision.op)]);
  process.stdout.write(formatColumns(rows));
}

function when(at: string, now: number): string {
  const time = Date.parse(at);
  return Number.isNaN(time) ? terminalLine(at) : `${durationWords(now - time)} ago`;
}

/** "Ada Lovelace", "token ci", or "-" for a write that named nobody (packs seeded at start). */
export function actorLabel(by: PublicActor | null): string {
  if (!by) return '-';
  return by.kind === 'token' ? `token ${terminalLine(by.name)}` : terminalLine(by.name);
}

/** Rows as columns two spaces apart, each padded to its widest cell but the last. */
function formatColumns(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]!.length))) ?? [];
  return rows.map((row) => `${row.map((cell, column) => (column < row.length - 1 ? cell.padEnd(widths[column]!) : cell)).join('  ')}\n`).join('');
}
