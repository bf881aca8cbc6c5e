import { distance } from 'fastest-levenshtein';
import { SnekError } from '@snek/core';
import { formatSneks } from '../art-output.js';
import { SnekClient } from '../client.js';
import { commandContext, printJson, type GlobalArgs } from '../context.js';
import { terminalSafe } from '../terminal.js';

export interface ShowArgs extends GlobalArgs {
  name?: string | undefined;
  type?: string | undefined;
}

/** `snek [NAME] [--type TYPE]`: prints matching art; with no name and no type, the snek named "normal". */
export async function show(args: ShowArgs): Promise<void> {
  const { client } = await commandContext(args);
  const name = args.name ?? (args.type ? undefined : 'normal');
  let sneks = await client.listAll({ name, type: args.type });
  // `snek my-id` works too: a name that matches nothing may be an id.
  if (sneks.length === 0 && name !== undefined) {
    const byId = await client.get(name).catch(() => undefined);
    if (byId && (args.type === undefined || byId.type === args.type)) sneks = [byId];
  }
  if (sneks.length === 0) throw await unknownSnek(client, name, args.type);
  if (args.json) return printJson(sneks);
  process.stdout.write(formatSneks(sneks));
}

async function unknownSnek(client: SnekClient, name: string | undefined, type: string | undefined): Promise<SnekError> {
  const known = name !== undefined ? (await client.listAll({ type }, 5000)).map((s) => s.name) : (await client.types()).map((t) => t.type);
  const wanted = name ?? type ?? '';
  const suggestions = nearest(wanted, [...new Set(known)]);
  const hint = suggestions.length ? ` Closest: ${suggestions.map(terminalSafe).join(', ')}.` : '';
  return new SnekError('SNEK_NOT_FOUND', `I don't know what that snek is.${hint} Run \`snek list\` to see them all.`);
}

/** Up to three names within a typo's reach of `wanted`, nearest first. */
function nearest(wanted: string, names: string[]): string[] {
  const reach = Math.max(2, Math.ceil(wanted.length / 2));
  const ranked = names.map((name) => ({ name, d: distance(wanted.toLowerCase(), name.toLowerCase()) })).filter(({ d }) => d <= reach);
  ranked.sort((a, b) => a.d - b.d || (a.name < b.name ? -1 : 1));
  return ranked.slice(0, 3).map(({ name }) => name);
}
