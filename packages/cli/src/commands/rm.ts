import { SLUG_PATTERN, SnekError, slugify } from '@snek/core';
import type { SnekClient } from '../client.js';
import { commandContext, printJson, type GlobalArgs } from '../context.js';
import { usageError } from '../usage.js';

/** `snek rm ID`; a name given for an id gets the id it probably meant. */
export async function rm(args: GlobalArgs & { id?: string | undefined }): Promise<void> {
  if (args.id === undefined) throw usageError('rm', 'the ID of the snek to delete');
  const { client } = await commandContext(args);
  if (!SLUG_PATTERN.test(args.id)) throw await notAnId(client, args.id);
  try {
    await client.delete(args.id);
  } catch (error) {
    const meant = SnekError.hasCode(error, 'SNEK_NOT_FOUND') ? await existingIds(client, args.id) : [];
    if (meant.length) throw new SnekError('SNEK_NOT_FOUND', `${error instanceof Error ? error.message : ''} Did you mean ${alternatives(meant)}?`.trim());
    throw error;
  }
  if (args.json) return printJson({ id: args.id, deleted: true });
  process.stdout.write(`deleted ${args.id}\n`);
}

async function notAnId(client: SnekClient, given: string): Promise<SnekError> {
  const meant = await existingIds(client, given);
  const slug = slugify(given);
  const hint = meant.length ? ` Did you mean ${alternatives(meant)}?` : slug ? ` There is no snek "${slug}" either; run snek list to see the ids.` : ' Run snek list to see the ids.';
  return new SnekError('USAGE', `"${given}" is not an id: ids are slugs (a-z, 0-9, ".", "_", "-"), such as ${slug || 'tiny-snek'}.${hint}`);
}

/** The ids of sneks named `given`, else its slug if a snek has that id. */
async function existingIds(client: SnekClient, given: string): Promise<string[]> {
  try {
    const named = (await client.list({ name: given, limit: 10 })).items.map((s) => s.id).filter((id) => id !== given);
    if (named.length) return named;
    const slug = slugify(given);
    return slug && slug !== given && (await client.get(slug)) ? [slug] : [];
  } catch {
    return [];
  }
}

function alternatives(ids: string[]): string {
  return ids.length === 1 ? ids[0]! : `${ids.slice(0, -1).join(', ')} or ${ids.at(-1)}`;
}
