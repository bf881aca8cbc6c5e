import { loadBootstrapSneks, type SnekStore } from '@snek/core';

/** Puts the built-in sneks whose ids are missing; never overwrites a user's edit. Returns the ids added. */
export async function bootstrapSneks(store: SnekStore): Promise<string[]> {
  const added: string[] = [];
  for (const snek of await loadBootstrapSneks()) {
    if (await store.get(snek.id)) continue;
    await store.put(snek);
    added.push(snek.id);
  }
  return added;
}
