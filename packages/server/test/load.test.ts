import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { BUILT_IN_STORES, dropBuiltInStoreData } from './helpers/store-configs.js';
import { cleanEnv, killAllServers, startServerProcess } from './helpers/server-process.js';

// 64 clients mixing reads and writes against the real server, per built-in store: no 5xx, no lost write.
const CLIENTS = 64;
const SECONDS = Number(process.env['SNEK_LOAD_SECONDS'] ?? 30);
const TOKEN = 'load-token';
const STORES: Record<string, string> = BUILT_IN_STORES;

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('snek-load-');
});
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
  await dropBuiltInStoreData();
});

interface Figures {
  requests: number;
  reads: number;
  writes: number;
  status5xx: number;
  failures: string[];
}

async function client(url: string, c: number, until: number, acked: Map<string, string>, figures: Figures): Promise<void> {
  const own = `own-${c}`;
  for (let n = 0; Date.now() < until; n++) {
    const roll = (c * 7919 + n * 104729) % 100;
    let response: Response;
    try {
      if (roll < 35) {
        const id = n % 2 ? `c${c}-${n}` : own;
        const content = `${id} #${n} ${'~'.repeat(n % 200)}\n`;
        response = await fetch(`${url}/v1/sneks/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: id, type: `load-${c % 8}`, content }) });
        if (response.ok) acked.set(id, content);
        figures.writes++;
      } else if (roll < 50) {
        response = await fetch(`${url}/v1/sneks?type=load-${n % 8}&limit=50`);
        figures.reads++;
      } else {
        response = await fetch(`${url}/v1/sneks/${n % 3 ? own : 'cute'}`);
        figures.reads++;
      }
      await response.arrayBuffer();
      figures.requests++;
      if (response.status >= 500) figures.status5xx++;
      else if (response.status >= 400 && response.status !== 404) figures.failures.push(`${response.status} ${response.url}`);
    } catch (error) {
      figures.failures.push(String(error));
    }
  }
}

describe.each(Object.keys(STORES))('%s store under load', (store) => {
  it(`${CLIENTS} clients for ${SECONDS} s: no 5xx, every acknowledged write kept`, async () => {
    const home = path.join(dir.path, store);
    await dir.write(`${store}/.snekrc`, STORES[store]!);
    const server = await startServerProcess({ cwd: home, env: cleanEnv(home, { SNEK_ADMIN_TOKEN: TOKEN }) });
    const acked = new Map<string, string>();
    const figures: Figures = { requests: 0, reads: 0, writes: 0, status5xx: 0, failures: [] };
    const started = Date.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(server.url, c, started + SECONDS * 1000, acked, figures)));
    const elapsed = (Date.now() - started) / 1000;
    expect(figures.status5xx).toBe(0);
    expect(figures.failures.slice(0, 5)).toEqual([]);
    let lost = 0;
    for (const [id, content] of acked) {
      const got = (await (await fetch(`${server.url}/v1/sneks/${id}`)).json()) as { content?: string };
      if (got.content !== content) lost++;
    }
    expect(lost).toBe(0);
    expect(await server.stop()).toBe(0);
    console.log(`${store}: ${CLIENTS} clients, ${elapsed.toFixed(1)} s, ${figures.requests} requests (${Math.round(figures.requests / elapsed)}/s), ${figures.reads} reads, ${figures.writes} writes, ${acked.size} acknowledged ids checked, ${figures.status5xx} 5xx, ${lost} lost`);
  }, (SECONDS + 120) * 1000);
});
