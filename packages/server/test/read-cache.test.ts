import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from './helpers/server-process.js';

// Two real servers on one SQLite file, each with its read cache kept fresh by its own tail of the change log: what one
// writes, the other must show within server.cache.maxStaleMs, and what a server writes itself it must show at once.
const TOKEN = 'read-cache-token';
const MAX_STALE_MS = 1000;
// Clock reads in this process and the server's are not one instant apart.
const SLACK_MS = 100;
const ROUNDS = 6;
const READERS = 4;

let dir: TempDir;
let a: ServerProcess;
let b: ServerProcess;
beforeAll(async () => {
  dir = await tempDir('snek-read-cache-');
  await dir.write('.snekrc', `server:\n  store: { use: sqlite, options: { file: data/sneks.db } }\n  packs: []\n  cache: { maxStaleMs: ${MAX_STALE_MS} }\n`);
  const env = cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN });
  [a, b] = (await Promise.all([0, 1].map(() => startServerProcess({ cwd: dir.path, env })))) as [ServerProcess, ServerProcess];
}, 60_000);
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
});

const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function put(server: ServerProcess, id: string, content: string): Promise<void> {
  const response = await fetch(`${server.url}/v1/sneks/${id}`, { method: 'PUT', headers, body: JSON.stringify({ name: id, type: 'cached', content }) });
  expect([200, 201]).toContain(response.status);
}

/** The content a server answers for the snek, or null for a 404. */
async function read(server: ServerProcess, id: string): Promise<string | null> {
  const response = await fetch(`${server.url}/v1/sneks/${id}`, { headers });
  if (response.status === 404) return null;
  expect(response.status).toBe(200);
  return ((await response.json()) as { content: string }).content;
}

interface Seen {
  startedAt: number;
  value: string | null;
}

/** Reads through `server` with several clients at once until `done(value)` holds, then a while longer. */
async function readUntil(server: ServerProcess, id: string, done: (value: string | null) => boolean): Promise<Seen[]> {
  const seen: Seen[] = [];
  const deadline = Date.now() + 15_000;
  let doneAt: number | undefined;
  await Promise.all(
    Array.from({ length: READERS }, async () => {
      // Past the first answer that holds, on for half the bound: a stale fill would show as the old value coming back.
      while (Date.now() < deadline && (doneAt === undefined || Date.now() < doneAt + MAX_STALE_MS / 2)) {
        const startedAt = Date.now();
        const value = await read(server, id);
        seen.push({ startedAt, value });
        if (done(value)) doneAt ??= Date.now();
      }
    }),
  );
  return seen;
}

describe('the read cache, with two servers on one SQLite file', () => {
  it("shows a change made through the other server within server.cache.maxStaleMs, and never the old value after", async () => {
    await put(a, 'shared', 'v0\n');
    for (let round = 1; round <= ROUNDS; round++) {
      const before = `v${round - 1}\n`;
      const after = `v${round}\n`;
      // Read through A first, so that A holds the old value in its cache.
      expect(await read(a, 'shared')).toBe(before);
      expect(await read(a, 'shared')).toBe(before);
      await put(b, 'shared', after);
      const ackedAt = Date.now();
      const seen = await readUntil(a, 'shared', (value) => value === after);
      expect(seen.some((entry) => entry.value === after)).toBe(true);
      const stale = seen.filter((entry) => entry.value !== after && entry.startedAt > ackedAt + MAX_STALE_MS + SLACK_MS);
      expect({ round, stale: stale.map((entry) => `${entry.value} read ${entry.startedAt - ackedAt} ms after the write`) }).toEqual({ round, stale: [] });
    }
  });

  it('shows a delete made through the other server within the bound', async () => {
    await put(a, 'doomed', 'here\n');
    expect(await read(a, 'doomed')).toBe('here\n');
    const response = await fetch(`${b.url}/v1/sneks/doomed`, { method: 'DELETE', headers });
    expect(response.status).toBe(204);
    const ackedAt = Date.now();
    const seen = await readUntil(a, 'doomed', (value) => value === null);
    expect(seen.filter((entry) => entry.value !== null && entry.startedAt > ackedAt + MAX_STALE_MS + SLACK_MS)).toEqual([]);
  });

  it("shows a server's own write at once, whatever it held before", async () => {
    for (let round = 0; round < 20; round++) {
      // B's write may or may not have reached A's cache yet; A's own write must win either way.
      await put(b, 'own', `b${round}\n`);
      await read(a, 'own');
      await put(a, 'own', `a${round}\n`);
      const reads = await Promise.all(Array.from({ length: READERS }, () => read(a, 'own')));
      expect({ round, reads }).toEqual({ round, reads: Array(READERS).fill(`a${round}\n`) });
    }
  });
});
