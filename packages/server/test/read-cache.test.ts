import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from './helpers/server-process.js';
import { staleReads } from './helpers/stale-reads.js';

// Two real servers on one SQLite file, each with its read cache kept fresh by its own tail of the change log: what one
// writes, the other must show within server.cache.maxStaleMs, and what a server writes itself it must show at once.
const TOKEN = 'read-cache-token';
const MAX_STALE_MS = 1000;
const { headers, put, read, changeSeenWithinBound } = staleReads({ token: TOKEN, maxStaleMs: MAX_STALE_MS });

let dir: TempDir;
let a: ServerProcess;
let b: ServerProcess;
beforeAll(async () => {
  dir = await tempDir('snek-read-cache-');
  await dir.write('.snekrc', `server:\n  store: { use: sqlite, options: { file: data/sneks.db } }\n  packs: []\n  cache: { maxStaleMs: ${MAX_STALE_MS} }\n`);
  const env = cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN });
  // One after the other: opening a new file at once is sqlite-shared-file.test.ts's to test.
  a = await startServerProcess({ cwd: dir.path, env });
  b = await startServerProcess({ cwd: dir.path, env });
}, 60_000);
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
});

describe('the read cache, with two servers on one SQLite file', () => {
  it('shows a change made through the other server within server.cache.maxStaleMs, and never the old value after', async () => {
    await put(a, 'shared', 'v0\n');
    for (let round = 1; round <= 6; round++) await changeSeenWithinBound(a, 'shared', `v${round - 1}\n`, `v${round}\n`, () => put(b, 'shared', `v${round}\n`));
  });

  it('shows a delete made through the other server within the bound', async () => {
    await put(a, 'doomed', 'here\n');
    await changeSeenWithinBound(a, 'doomed', 'here\n', null, async () => {
      expect((await fetch(`${b.url}/v1/sneks/doomed`, { method: 'DELETE', headers })).status).toBe(204);
    });
  });

  it('answers a list page from its cache until a change: the other server\'s once its tail reads it, its own at once', async () => {
    const putListed = async (server: ServerProcess, id: string, content: string) => {
      const response = await fetch(`${server.url}/v1/sneks/${id}`, { method: 'PUT', headers, body: JSON.stringify({ name: id, type: 'listed', content }) });
      expect([200, 201]).toContain(response.status);
    };
    const page = async (server: ServerProcess) => {
      const response = await fetch(`${server.url}/v1/sneks?type=listed&limit=50`, { headers });
      expect(response.status).toBe(200);
      return ((await response.json()) as { items: Array<{ id: string; content: string; updatedAt: string | null }> }).items.map((snek) => `${snek.id}=${snek.content}`);
    };
    await putListed(a, 'l1', 'one\n');
    // Twice: the first answer fills the cache, the second comes from it.
    expect(await page(a)).toEqual(['l1=one\n']);
    expect(await page(a)).toEqual(['l1=one\n']);
    await putListed(b, 'l1', 'uno\n');
    let seen = await page(a);
    for (const deadline = Date.now() + 10_000; seen[0] !== 'l1=uno\n' && Date.now() < deadline; ) seen = await page(a);
    expect(seen).toEqual(['l1=uno\n']);
    await putListed(a, 'l2', 'two\n');
    expect(await page(a)).toEqual(['l1=uno\n', 'l2=two\n']);
  });

  it('counts types from its cache until a change: its own at once, the other server\'s once its tail reads it', async () => {
    const counted = async (server: ServerProcess) => {
      const response = await fetch(`${server.url}/v1/types`, { headers });
      expect(response.status).toBe(200);
      return ((await response.json()) as { types: Array<{ type: string; count: number }> }).types.find((entry) => entry.type === 'counted')?.count ?? 0;
    };
    const putCounted = async (server: ServerProcess, id: string) => {
      const response = await fetch(`${server.url}/v1/sneks/${id}`, { method: 'PUT', headers, body: JSON.stringify({ name: id, type: 'counted', content: 'x\n' }) });
      expect([200, 201]).toContain(response.status);
    };
    expect(await counted(a)).toBe(0);
    await putCounted(a, 'c1');
    expect([await counted(a), await counted(a)]).toEqual([1, 1]);
    await putCounted(b, 'c2');
    let seen = await counted(a);
    for (const deadline = Date.now() + 10_000; seen !== 2 && Date.now() < deadline; ) seen = await counted(a);
    expect(seen).toBe(2);
    expect((await fetch(`${a.url}/v1/sneks/c1`, { method: 'DELETE', headers })).status).toBe(204);
    expect([await counted(a), await counted(a)]).toEqual([1, 1]);
  });

  it("shows a server's own write at once, whatever it held before", async () => {
    for (let round = 0; round < 20; round++) {
      // B's write may or may not have reached A's cache yet; A's own write must win either way.
      await put(b, 'own', `b${round}\n`);
      await read(a, 'own');
      await put(a, 'own', `a${round}\n`);
      const reads = await Promise.all(Array.from({ length: 4 }, () => read(a, 'own')));
      expect({ round, reads }).toEqual({ round, reads: Array(4).fill(`a${round}\n`) });
    }
  });
});
