import { createHash } from 'node:crypto';
import { MAX_CHANGES_LIMIT, MAX_LIST_LIMIT, takesSnapshots, type Snek, type SnekStore, type StoreChangeLog } from '@snek/core';

/** How many sneks a store holds and a SHA-256 of them all: what `snek-server migrate` compares on both sides. */
export interface StoreDigest {
  count: number;
  /**
   * Hex SHA-256 over, in id order (code units), the SHA-256 of each snek's line: the JSON array
   * [id, name, type, content] and "\n". Hashing each snek first lets sneks be left out after they were read.
   */
  sha256: string;
}

/** Collects the hash of each snek, given in ascending id order, for a {@link StoreDigest} that may leave some out. */
export class DigestBuilder {
  private readonly ids: string[] = [];
  private readonly hashes: Buffer[] = [];

  add(sneks: readonly Snek[]): void {
    for (const { id, name, type, content } of sneks) {
      // Both sides must hash in one order, or equal stores would differ.
      const last = this.ids.at(-1);
      if (last !== undefined && !(id > last)) throw new Error(`sneks came out of id order (${id} after ${last})`);
      this.ids.push(id);
      this.hashes.push(createHash('sha256').update(`${JSON.stringify([id, name, type, content])}\n`).digest());
    }
  }

  digest(exclude: ReadonlySet<string> = new Set()): StoreDigest {
    const hash = createHash('sha256');
    let count = 0;
    this.ids.forEach((id, i) => {
      if (exclude.has(id)) return;
      hash.update(this.hashes[i]!);
      count++;
    });
    return { count, sha256: hash.digest('hex') };
  }
}

/**
 * Every snek of `store` in id order, in batches: from one snapshot when the store takes them (one moment), else by
 * paging through list (which a store written to meanwhile does not give as one moment).
 */
export async function* everySnek(store: SnekStore, batch = 5000): AsyncGenerator<Snek[]> {
  if (takesSnapshots(store)) {
    const view = await store.snapshot();
    try {
      yield* view.sneks(batch);
    } finally {
      await view.close();
    }
    return;
  }
  let cursor: string | undefined;
  do {
    const page = await store.list({ limit: MAX_LIST_LIMIT, ...(cursor === undefined ? {} : { cursor }) });
    if (page.items.length) yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** The digest of every snek `store` holds now, leaving out `exclude`. */
export async function digestStore(store: SnekStore, exclude?: ReadonlySet<string>): Promise<StoreDigest> {
  const builder = new DigestBuilder();
  for await (const sneks of everySnek(store)) builder.add(sneks);
  return builder.digest(exclude);
}

/** The ids of every change `log` keeps after seq `after`. */
export async function idsChangedAfter(log: StoreChangeLog, after: number): Promise<Set<string>> {
  const ids = new Set<string>();
  for (;;) {
    const page = await log.changes({ after, limit: MAX_CHANGES_LIMIT });
    if (page.length === 0) return ids;
    for (const change of page) ids.add(change.id);
    after = page.at(-1)!.seq;
  }
}
