import { expect } from '@jest/globals';

/** A server as these checks see it: where it listens. */
interface Replica {
  url: string;
}

export interface StaleReadOptions {
  token: string;
  /** The server's server.cache.maxStaleMs. */
  maxStaleMs: number;
  /** Clients reading at once: more of them, more chances for a read to meet a change in flight. */
  readers?: number;
}

export interface Seen {
  startedAt: number;
  value: string | null;
}

// Clock reads in this process and the server's are not one instant apart.
const SLACK_MS = 100;

/** PUTs, GETs and the bound check of the read cache, for tests with several servers on one store. */
export function staleReads({ token, maxStaleMs, readers = 4 }: StaleReadOptions) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  async function put(server: Replica, id: string, content: string): Promise<void> {
    const response = await fetch(`${server.url}/v1/sneks/${id}`, { method: 'PUT', headers, body: JSON.stringify({ name: id, type: 'cached', content }) });
    expect([200, 201]).toContain(response.status);
  }

  /** The content a server answers for the snek, or null for a 404. */
  async function read(server: Replica, id: string): Promise<string | null> {
    const response = await fetch(`${server.url}/v1/sneks/${id}`, { headers });
    if (response.status === 404) return null;
    expect(response.status).toBe(200);
    return ((await response.json()) as { content: string }).content;
  }

  /** Reads through `server` with several clients at once until `done(value)` holds, then half the bound longer. */
  async function readUntil(server: Replica, id: string, done: (value: string | null) => boolean): Promise<Seen[]> {
    const seen: Seen[] = [];
    const deadline = Date.now() + 15_000;
    let doneAt: number | undefined;
    await Promise.all(
      Array.from({ length: readers }, async () => {
        // Past the first answer that holds, on for a while: a stale fill would show as the old value coming back.
        while (Date.now() < deadline && (doneAt === undefined || Date.now() < doneAt + maxStaleMs / 2)) {
          const startedAt = Date.now();
          const value = await read(server, id);
          seen.push({ startedAt, value });
          if (done(value)) doneAt ??= Date.now();
        }
      }),
    );
    return seen;
  }

  /** Reads that began past the bound after the write was acknowledged and still did not show it: must be none. */
  function staleAfter(seen: readonly Seen[], ackedAt: number, fresh: (value: string | null) => boolean): string[] {
    return seen.filter((entry) => !fresh(entry.value) && entry.startedAt > ackedAt + maxStaleMs + SLACK_MS).map((entry) => `${entry.value} read ${entry.startedAt - ackedAt} ms after the write`);
  }

  /**
   * One round: A has read (and so may cache) the old value, `write` changes it through another server, then A is read
   * until it shows the new one. A must show it, and no read of A begun past the bound may show anything else.
   */
  async function changeSeenWithinBound(a: Replica, id: string, before: string | null, after: string | null, write: () => Promise<void>): Promise<void> {
    expect(await read(a, id)).toBe(before);
    expect(await read(a, id)).toBe(before);
    await write();
    const ackedAt = Date.now();
    const seen = await readUntil(a, id, (value) => value === after);
    expect(seen.some((entry) => entry.value === after)).toBe(true);
    expect(staleAfter(seen, ackedAt, (value) => value === after)).toEqual([]);
  }

  return { headers, put, read, readUntil, changeSeenWithinBound };
}
