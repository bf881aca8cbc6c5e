import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { TEST_PG_URL, pgAvailable } from '../../store-postgres/test/helpers/pg-available.js';
import { dropSchemas, uniqueSchema } from '../../store-postgres/test/helpers/test-schemas.js';
import { cleanEnv, killAllServers, runServerToExit, startServerProcess, type ServerProcess } from './helpers/server-process.js';

// The restore drill: a real server on sqlite takes a steady stream of writes while `snek-server backup` (or `export`)
// runs beside it; the copy, restored into a new server, holds every write acknowledged before the copy began, byte for
// byte, and of each client's writes a prefix: one moment, not a mix.
const TOKEN = 'drill-token';
const CLIENTS = 8;
const postgres = await pgAvailable();
const schemas: string[] = [];

interface Ack {
  id: string;
  content: string;
  /** performance.now() when the 2xx arrived. */
  at: number;
}

/** Clients that each PUT new sneks one after another until stopped; every acknowledged write is kept in order. */
function writers(base: string) {
  let stopped = false;
  const acks: Ack[][] = Array.from({ length: CLIENTS }, () => []);
  const failures: string[] = [];
  const loops = acks.map(async (mine, client) => {
    for (let n = 0; !stopped; n++) {
      const id = `c${client}-${String(n).padStart(6, '0')}`;
      const content = `drill ${client}/${n} 🐍  \n\ttrailing\t \n${'~'.repeat(n % 200)}`;
      const response = await fetch(`${base}/v1/sneks/${id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Drill ${client} ${n}`, type: 'drill', content }),
      });
      await response.arrayBuffer();
      if (response.ok) mine.push({ id, content, at: performance.now() });
      else failures.push(`${id}: HTTP ${response.status}`);
    }
  });
  return {
    acks,
    failures,
    count: () => acks.reduce((sum, mine) => sum + mine.length, 0),
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** Every snek a server holds, by id: paged through the API. */
async function everySnek(base: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let cursor: string | null | undefined; cursor !== null; ) {
    const response = await fetch(`${base}/v1/sneks?limit=500&type=drill${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const page = (await response.json()) as { items: Array<{ id: string; content: string }>; nextCursor: string | null };
    for (const snek of page.items) found.set(snek.id, snek.content);
    cursor = page.nextCursor;
  }
  return found;
}

/** Every write acknowledged before `began` is in `copy`, byte for byte, and of each client's writes the copy holds a prefix. */
function expectCopyOfOneMoment(acks: Ack[][], began: number, copy: Map<string, string>): void {
  let before = 0;
  for (const mine of acks) {
    const held = mine.map((ack) => copy.get(ack.id) === ack.content);
    for (const [i, ack] of mine.entries()) {
      if (ack.at < began) {
        before++;
        if (!held[i]) throw new Error(`${ack.id}, acknowledged ${(began - ack.at).toFixed(0)} ms before the copy began, is ${copy.has(ack.id) ? 'not byte for byte' : 'missing'} in it`);
      }
    }
    const firstMissing = held.indexOf(false);
    if (firstMissing !== -1 && held.slice(firstMissing).some(Boolean)) throw new Error(`the copy holds a later write of ${mine[firstMissing]!.id.split('-')[0]} without ${mine[firstMissing]!.id}: not one moment`);
  }
  expect(before).toBeGreaterThan(100);
  // Nothing but the clients' writes: no snek the copy holds was never acknowledged, save the one in flight per client.
  const acked = new Set(acks.flat().map((ack) => ack.id));
  expect([...copy.keys()].filter((id) => !acked.has(id)).length).toBeLessThanOrEqual(CLIENTS);
}

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('snek-drill-');
});
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
  await dropSchemas(schemas);
});

async function serve(folder: string, snekrc: string): Promise<ServerProcess> {
  const cwd = path.join(dir.path, folder);
  await dir.write(`${folder}/.snekrc`, snekrc);
  return startServerProcess({ cwd, env: cleanEnv(cwd, { SNEK_ADMIN_TOKEN: TOKEN }) });
}
const waitFor = async (until: () => boolean) => {
  while (!until()) await new Promise((resolve) => setTimeout(resolve, 50));
};

describe('restore drill on sqlite', () => {
  it('snek-server backup while clients write: the backup, served by a new server, holds every write acknowledged before it began', async () => {
    const source = await serve('source', 'server:\n  store: sqlite\n');
    const load = writers(source.url);
    await waitFor(() => load.count() >= 500);
    const began = performance.now();
    const backup = await runServerToExit({ cwd: path.join(dir.path, 'source'), env: cleanEnv(path.join(dir.path, 'source')), args: ['backup', path.join(dir.path, 'backup.db')] });
    const during = load.count();
    await waitFor(() => load.count() >= during + 200);
    await load.stop();
    expect([backup.code, backup.stderr]).toEqual([0, expect.stringMatching(/^backed up the sqlite store into /)]);
    expect(load.failures).toEqual([]);
    // Writes went on while the backup ran.
    expect(load.acks.flat().some((ack) => ack.at > began)).toBe(true);

    await dir.write('restored/snek-data/.keep', '');
    await copyFile(path.join(dir.path, 'backup.db'), path.join(dir.path, 'restored/snek-data/sneks.db'));
    const restored = await serve('restored', 'server:\n  store: sqlite\n');
    expectCopyOfOneMoment(load.acks, began, await everySnek(restored.url));
    expect(await restored.stop()).toBe(0);
    expect(await source.stop()).toBe(0);
  });

  it.each(postgres ? ['sqlite', 'postgres'] : ['sqlite'])('snek-server export while clients write, imported into a fresh %s store: every write acknowledged before it began', async (target) => {
    const folder = `export-source-${target}`;
    const source = await serve(folder, 'server:\n  store: sqlite\n');
    const load = writers(source.url);
    await waitFor(() => load.count() >= 500);
    const began = performance.now();
    const cwd = path.join(dir.path, folder);
    const exported = await runServerToExit({ cwd, env: cleanEnv(cwd), args: ['export', '--out', 'export.jsonl'] });
    const during = load.count();
    await waitFor(() => load.count() >= during + 200);
    await load.stop();
    expect(exported.code).toBe(0);
    expect(load.failures).toEqual([]);

    const schema = uniqueSchema('drill');
    schemas.push(schema);
    const snekrc = target === 'postgres' ? `server:\n  store: { use: postgres, options: { url: "${TEST_PG_URL}", schema: ${schema} } }\n` : 'server:\n  store: sqlite\n';
    const home = path.join(dir.path, `import-${target}`);
    await dir.write(`import-${target}/.snekrc`, snekrc);
    const imported = await runServerToExit({ cwd: home, env: cleanEnv(home), args: ['import', path.join(cwd, 'export.jsonl')] });
    expect(imported.code).toBe(0);
    const restored = await serve(`import-${target}`, snekrc);
    expectCopyOfOneMoment(load.acks, began, await everySnek(restored.url));
    expect(await restored.stop()).toBe(0);
    expect(await source.stop()).toBe(0);
  });
});
