import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from './helpers/server-process.js';

// Two real servers on one SQLite file, as the README allows: concurrent PUTs spread over both must all succeed,
// and every acknowledged one must read back through either server. Before writes began with BEGIN IMMEDIATE,
// about a third of these PUTs answered 503 "database is locked" within milliseconds.
const PUTS = 4000;
const CLIENTS = 32;
const TOKEN = 'shared-file-token';
// The driver the servers pick: node:sqlite on Node 22.13+, better-sqlite3 on Node 20.
const DRIVER = process.getBuiltinModule('node:sqlite') ? 'node:sqlite' : 'better-sqlite3';

let dir: TempDir;
let servers: ServerProcess[] = [];
beforeAll(async () => {
  dir = await tempDir('snek-sqlite-shared-');
  await dir.write('.snekrc', 'server:\n  store: { use: sqlite, options: { file: data/sneks.db } }\n');
  const env = cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN });
  // Started together, so both also open and migrate the new file at once.
  servers = await Promise.all([0, 1].map(() => startServerProcess({ cwd: dir.path, env })));
}, 60_000);
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
});

const art = (id: string) => `${id} `.repeat(1 + (id.length * 31) % 40).trimEnd() + '\n';

/** Every snek of type "shared" one server has, through its API. */
async function everything(url: string): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const response = await fetch(`${url}/v1/sneks?type=shared&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as { items: Array<{ id: string; content: string }>; nextCursor: string | null };
    for (const snek of page.items) all.set(snek.id, snek.content);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

describe('two snek-servers on one SQLite file', () => {
  it(`answers all ${PUTS} concurrent PUTs from ${CLIENTS} clients spread over both, and each server reads every one back`, async () => {
    const failures: string[] = [];
    const acknowledged = new Map<string, string>();
    const client = async (c: number) => {
      for (let n = c, k = 0; n < PUTS; n += CLIENTS, k++) {
        // Each client alternates servers, starting on its own side, so both take writes all the time.
        const which = (c + k) % 2;
        const server = servers[which]!;
        const id = `s-${n}`;
        const response = await fetch(`${server.url}/v1/sneks/${id}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Shared ${n}`, type: 'shared', content: art(id) }),
        });
        const body = await response.text();
        if (response.status === 201) acknowledged.set(id, art(id));
        else failures.push(`PUT ${id} via server ${which}: ${response.status} ${body.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));

    expect({ failures: failures.length, first: failures.slice(0, 3) }).toEqual({ failures: 0, first: [] });
    expect(acknowledged.size).toBe(PUTS);
    for (const server of servers) {
      const stored = await everything(server.url);
      const wrong = [...acknowledged].filter(([id, content]) => stored.get(id) !== content).map(([id]) => id);
      expect({ stored: stored.size, wrong: wrong.slice(0, 5) }).toEqual({ stored: PUTS, wrong: [] });
      expect(await (await fetch(`${server.url}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()).toMatchObject({ status: 'ready', store: 'sqlite', driver: DRIVER, journalMode: 'wal', synchronous: 'full' });
    }
    for (const server of servers) expect(await server.stop()).toBe(0);
    const locked = (text: string) => text.match(/database is locked|SQLITE_BUSY/g)?.length ?? 0;
    expect(servers.map((server) => locked(server.output().stdout) + locked(server.output().stderr))).toEqual([0, 0]);
  }, 180_000);
});
