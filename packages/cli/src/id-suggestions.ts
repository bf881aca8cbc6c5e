import { SLUG_PATTERN, SnekError, slugify } from '@snek/core';
import type { SnekClient } from './client.js';

/** A USAGE error unless `given` is an id; a name given for one gets the id it probably meant. */
export async function checkIdArgument(client: SnekClient, given: string): Promise<void> {
  if (!SLUG_PATTERN.test(given)) throw await notAnId(client, given);
}

async function notAnId(client: SnekClient, given: string): Promise<SnekError> {
  const meant = await existingIds(client, given);
  const slug = slugify(given);
  const hint = meant.length ? ` Did you mean ${alternatives(meant)}?` : slug ? ` There is no snek "${slug}" either; run snek list to see the ids.` : ' Run snek list to see the ids.';
  return new SnekError('USAGE', `"${given}" is not an id: ids are slugs (a-z, 0-9, ".", "_", "-"), such as ${slug || 'tiny-snek'}.${hint}`);
}

/** The ids of sneks named `given`, else its slug if a snek has that id. */
export async function existingIds(client: SnekClient, given: string): Promise<string[]> {
  try {
    const named = (await client.list({ name: given, limit: 10 })).items.map((s) => s.id).filter((id) => id !== given);
    if (named.length) return named;
    const slug = slugify(given);
    return slug && slug !== given && (await client.get(slug)) ? [slug] : [];
  } catch {
    return [];
  }
}

/** "a", "a or b", "a, b or c". */
export function alternatives(ids: string[]): string {
  return ids.length === 1 ? ids[0]! : `${ids.slice(0, -1).join(', ')} or ${ids.at(-1)}`;
}
