import { distance } from 'fastest-levenshtein';
import { MAX_LIST_LIMIT, SnekError, type Snek } from '@snek/core';
import { formatSneks } from '../art-output.js';
import { SnekClient } from '../client.js';
import { commandContext, printJson, type GlobalArgs } from '../context.js';
import { SnekCache, cacheDir, cacheEnabled, offlineNotice, type CacheLookup, type CachedAnswer } from '../snek-cache.js';
import { terminalLine } from '../terminal.js';
import { bestMatches } from './search.js';

export interface ShowArgs extends GlobalArgs {
  cache?: boolean | undefined;
  name?: string | undefined;
  type?: string | undefined;
}

/** `snek [NAME] [--type TYPE]`: prints matching art; with no name and no type, the snek named "normal". */
export async function show(args: ShowArgs): Promise<void> {
  const { client, url } = await commandContext(args);
  const name = args.name ?? (args.type ? undefined : 'normal');
  let sneks: Snek[];
  if (name === undefined) sneks = await client.listAll({ type: args.type });
  else {
    const lookup = { name, type: args.type };
    const cache = cacheEnabled(args.cache === false, process.env) ? new SnekCache(cacheDir(process.env), url) : undefined;
    const cached = cache?.read(lookup);
    try {
      sneks = await lookUp(client, lookup, cache, cached);
    } catch (error) {
      if (!cached || !SnekError.hasCode(error, 'SERVER_UNREACHABLE')) throw error;
      process.stderr.write(offlineNotice(url, cached));
      sneks = cached.sneks;
    }
  }
  if (sneks.length === 0) throw await unknownSnek(client, name, args.type);
  if (args.json) return printJson(sneks);
  process.stdout.write(formatSneks(sneks));
}

/** A name lookup, revalidating what the cache holds, and keeping the cache in step with the answer. */
async function lookUp(client: SnekClient, lookup: CacheLookup, cache: SnekCache | undefined, cached: CachedAnswer | undefined): Promise<Snek[]> {
  const first = await client.listIfChanged({ ...lookup, limit: MAX_LIST_LIMIT }, cached?.etag);
  if (first === 'not-modified' && cached) {
    cache!.confirm(lookup);
    return cached.sneks;
  }
  if (first === 'not-modified') return client.listAll(lookup);
  // Over a page of one name is rare: fetched whole, and not cached.
  if (first.page.nextCursor) return client.listAll(lookup);
  if (first.page.items.length > 0) {
    if (first.etag) cache?.write(lookup, first.page.items, first.etag);
    return first.page.items;
  }
  // `snek my-id` works too: a name that matches nothing may be an id. Cached for offline use, without an
  // ETag: the name lookup's ETag is the one to send back.
  const byId = await client.get(lookup.name).catch(() => undefined);
  if (byId && (lookup.type === undefined || byId.type === lookup.type)) {
    cache?.write(lookup, [byId], null);
    return [byId];
  }
  cache?.forget(lookup);
  return [];
}

/** No snek of that name: the best search results for it; for a --type alone, the closest types. */
async function unknownSnek(client: SnekClient, name: string | undefined, type: string | undefined): Promise<SnekError> {
  if (name !== undefined) {
    const best = await bestMatches(client, name, type);
    const named = `No snek named "${name}"${type === undefined ? '' : ` of type ${type}`}.`;
    const hint = best.length ? ` Did you mean: ${best.map((s) => `"${terminalLine(s.name)}" (${terminalLine(s.id)})`).join(', ')}?` : ` Run \`snek search ${terminalLine(name)}\` or \`snek list\` to see them.`;
    return new SnekError('SNEK_NOT_FOUND', named + hint);
  }
  const suggestions = nearest(type ?? '', (await client.types()).map((t) => t.type));
  const hint = suggestions.length ? ` Closest: ${suggestions.map(terminalLine).join(', ')}.` : '';
  return new SnekError('SNEK_NOT_FOUND', `I don't know what that snek is.${hint} Run \`snek list\` to see them all.`);
}

/** Up to three types within a typo's reach of `wanted`, nearest first. */
function nearest(wanted: string, names: string[]): string[] {
  const reach = Math.max(2, Math.ceil(wanted.length / 2));
  const ranked = names.map((name) => ({ name, d: distance(wanted.toLowerCase(), name.toLowerCase()) })).filter(({ d }) => d <= reach);
  ranked.sort((a, b) => a.d - b.d || (a.name < b.name ? -1 : 1));
  return ranked.slice(0, 3).map(({ name }) => name);
}
