import { MAX_LIST_LIMIT, SnekError, type Snek } from '@snek/core';
import type { SnekClient } from '../client.js';
import { commandContext, printJson, type GlobalArgs } from '../context.js';
import { terminalLine } from '../terminal.js';
import { usageError } from '../usage.js';

/** How many results `snek search` prints unless --limit says otherwise. */
export const DEFAULT_SEARCH_RESULTS = 20;

export interface SearchArgs extends GlobalArgs {
  text?: string | undefined;
  type?: string | undefined;
  limit?: number | undefined;
}

/** `snek search TEXT [--type TYPE] [--limit N]`: the best matches, best first, one line each as `snek list` prints them. */
export async function search(args: SearchArgs): Promise<void> {
  if (args.text === undefined || args.text === '') throw usageError('search', 'the TEXT to look for');
  if (args.limit !== undefined && !(Number.isSafeInteger(args.limit) && args.limit > 0 && args.limit <= MAX_LIST_LIMIT)) {
    throw new SnekError('USAGE', `--limit must be a whole number from 1 to ${MAX_LIST_LIMIT}, not ${args.limit}`);
  }
  const { client } = await commandContext(args);
  const found = await client.search({ q: args.text, type: args.type, limit: args.limit ?? DEFAULT_SEARCH_RESULTS });
  // The store could not search itself and holds more sneks than the server looks through: say so, once.
  if (found.scanned) process.stderr.write('snek: only part of the store was searched: this server\'s store cannot search by itself, so the server looked at its first sneks alone\n');
  if (found.items.length === 0) throw new SnekError('SNEK_NOT_FOUND', `No snek matches "${args.text}"${args.type === undefined ? '' : ` of type ${args.type}`}. Run \`snek list\` to see them all.`);
  if (args.json) return printJson(found.items.map(({ id, name, type }) => ({ id, name, type })));
  process.stdout.write(formatSnekLines(found.items));
}

/** "id  name (type)" per snek, the ids padded to one width: the lines of `snek list` and `snek search`. */
export function formatSnekLines(sneks: readonly Pick<Snek, 'id' | 'name' | 'type'>[]): string {
  const rows = sneks.map((s) => ({ id: terminalLine(s.id), name: terminalLine(s.name), type: terminalLine(s.type) }));
  const width = Math.max(2, ...rows.map((s) => s.id.length));
  const lines = rows.map((s) => `${s.id.padEnd(width)}  ${s.name} (${s.type})`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** The best few results of searching for `text`, for a "Did you mean" line; none when the search fails. */
export async function bestMatches(client: SnekClient, text: string, type: string | undefined, count = 3): Promise<Snek[]> {
  try {
    return (await client.search({ q: text, type, limit: count })).items;
  } catch {
    return [];
  }
}
