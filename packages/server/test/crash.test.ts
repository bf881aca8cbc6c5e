import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rawDatabase, scalar } from '../../store-sqlite/test/helpers/raw-database.js';
import { snekSchema } from '@snek/core';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { allChanges, logDisagreements, outOfOrder } from './helpers/change-log.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from './helpers/server-process.js';

// kill -9 in the middle of a storm of PUTs and DELETEs, ten times per store: every acknowledged write must survive,
// and after each restart the change log and the sneks must agree, with every acknowledged write in the log.
const CYCLES = 10;
const WRITERS = 32;
const TOKEN = 'crash-token';

/** Deterministic art for (id, version), 1–8 KB, so a torn or mixed write cannot pass for a whole one. */
function artFor(id: string, version: number): string {
  const length = 1000 + ((id.length * 7919 + version * 104729) % 7000);
  const line = `${id} v${version} `;
  return `${line.repeat(Math.ceil(length / line.length)).slice(0, length)}\n`;
}

interface Ledger {
  /** Unique ids whose PUT got a 2xx: they must be there, byte for byte. */
  created: Map<string, string>;
  /** Per writer's own id: the last acknowledged version, and every version tried since, any of which may have landed. */
  overwritten: Map<string, { acked: number; pending: number[] }>;
  /** Unique ids whose DELETE got a 204: they must be gone. */
  deleted: Set<string>;
  /** Unique ids whose DELETE the kill cut off: gone, or there as created (their content). */
  deleting: Map<string, string>;
  /** Every acknowledged write, as the change it must have left: `put id content` or `delete id`. */
  logged: string[];
}

const putChange = (id: string, content: string) => `put ${id} ${content}`;
const deleteChange = (id: string) => `delete ${id}`;

async function storm(server: ServerProcess, cycle: number, ledger: Ledger): Promise<void> {
  let stop = false;
  // The kill comes after a number of acknowledged writes, not after a time: a slow machine kills as deep into
  // the storm as a fast one, and every cycle lands at least WRITERS new ids.
  const target = WRITERS + Math.floor(Math.random() * 2 * WRITERS);
  let acked = 0;
  let enough!: () => void;
  const reached = new Promise<void>((resolve) => (enough = resolve));
  const writer = async (w: number) => {
    const own = `own-${w}`;
    for (let n = 0; !stop; n++) {
      // Per four writes: a new id, the writer's own id overwritten, another new id, and a delete of the first.
      const kind = n % 4 === 1 ? 'own' : n % 4 === 3 ? 'delete' : 'unique';
      const state = ledger.overwritten.get(own) ?? { acked: 0, pending: [] };
      const id = kind === 'own' ? own : `c${cycle}-w${w}-${kind === 'delete' ? n - 3 : n}`;
      if (kind === 'delete' && !ledger.created.has(id)) continue;
      const version = kind === 'unique' ? 1 : Math.max(state.acked, ...state.pending) + 1;
      if (kind === 'own') ledger.overwritten.set(own, { acked: state.acked, pending: [...state.pending, version] });
      if (kind === 'delete') {
        ledger.deleting.set(id, ledger.created.get(id)!);
        ledger.created.delete(id);
      }
      try {
        const response =
          kind === 'delete'
            ? await fetch(`${server.url}/v1/sneks/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })
            : await fetch(`${server.url}/v1/sneks/${id}`, {
                method: 'PUT',
                headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
                body: JSON.stringify({ name: id, type: 'crash', content: artFor(id, version) }),
              });
        if (response.status >= 300) throw new Error(`${kind === 'delete' ? 'DELETE' : 'PUT'} ${id} answered ${response.status}`);
        if (kind === 'delete') {
          ledger.deleting.delete(id);
          ledger.deleted.add(id);
          ledger.logged.push(deleteChange(id));
          continue;
        }
        ledger.logged.push(putChange(id, artFor(id, version)));
        if (kind === 'unique') {
          ledger.created.set(id, artFor(id, version));
          if (++acked === target) enough();
        } else ledger.overwritten.set(own, { acked: version, pending: [] });
      } catch (error) {
        if (!stop) throw error;
        return;
      }
    }
  };
  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  // A writer that fails before the kill fails the test here.
  await Promise.race([reached, Promise.all(writers)]);
  stop = true;
  server.child.kill('SIGKILL');
  await Promise.allSettled(writers);
  await new Promise((resolve) => (server.child.exitCode !== null || server.child.signalCode !== null ? resolve(null) : server.child.once('exit', resolve)));
}

/** Every snek the server has, through the API. */
async function everything(url: string): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const page = (await (await fetch(`${url}/v1/sneks?type=crash&limit=500${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { items: Array<{ id: string; content: string }>; nextCursor: string | null };
    for (const snek of page.items) all.set(snek.id, snek.content);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

function checkLedger(stored: Map<string, string>, ledger: Ledger): number {
  for (const [id, content] of ledger.created) expect([id, stored.get(id) === content]).toEqual([id, true]);
  for (const id of ledger.deleted) expect([id, stored.has(id)]).toEqual([id, false]);
  for (const [id, content] of ledger.deleting) expect([id, !stored.has(id) || stored.get(id) === content]).toEqual([id, true]);
  for (const [id, { acked, pending }] of ledger.overwritten) {
    if (acked === 0 && !stored.has(id)) continue;
    // Writes cut off by a kill may or may not have landed, but nothing older than the last ack may show.
    const allowed = [acked, ...pending].filter((v) => v > 0).map((v) => artFor(id, v));
    expect([id, allowed.includes(stored.get(id)!)]).toEqual([id, true]);
  }
  return ledger.created.size + [...ledger.overwritten.values()].filter((s) => s.acked > 0).length;
}

/** Every write the test does, puts and deletes; the packs' sneks are not the test's. */
const ours = (id: string) => /^(c\d+-w\d+-\d+|own-\d+)$/.test(id);

/** The change log against the sneks and the ledger: they agree, and every acknowledged write left its change. */
async function checkLog(url: string, stored: Map<string, string>, ledger: Ledger): Promise<number> {
  const log = await allChanges(url, TOKEN);
  expect(outOfOrder(log.map((change) => change.seq))).toEqual([]);
  expect(logDisagreements(log, stored, ours)).toEqual([]);
  const left = new Set(log.map((change) => (change.op === 'put' ? putChange(change.id, change.snek!.content) : deleteChange(change.id))));
  expect(ledger.logged.filter((write) => !left.has(write))).toEqual([]);
  return log.length;
}

// Retention is the store's to apply; here every change must stay, so that every acknowledged write can be found.
const HISTORY = '  history: { keep: 1000 }\n';

const STORES = {
  sqlite: {
    config: `server:\n${HISTORY}  store: { use: sqlite, options: { file: data/sneks.db } }\n`,
    async checkStorage(dir: string) {
      const db = await rawDatabase(path.join(dir, 'data/sneks.db'), { readonly: true });
      try {
        expect(scalar(db, 'PRAGMA integrity_check')).toBe('ok');
      } finally {
        db.close();
      }
    },
  },
  fs: {
    config: `server:\n${HISTORY}  store: { use: fs, options: { dir: data } }\n`,
    async checkStorage(dir: string) {
      const names = await readdir(path.join(dir, 'data'));
      // Temp files from the crash are swept at open; every record left is whole and valid.
      expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([]);
      // The pack ledger is replaced atomically too: whole JSON after any crash.
      expect(names).toContain('.snek-seeded.json');
      JSON.parse(await readFile(path.join(dir, 'data', '.snek-seeded.json'), 'utf8'));
      // Records are <id>.json; an id never starts with a dot, so .snek-seeded.json (the pack ledger) is not one.
      for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
        const parsed = snekSchema.safeParse(JSON.parse(await readFile(path.join(dir, 'data', name), 'utf8')));
        expect([name, parsed.success]).toEqual([name, true]);
      }
    },
  },
};

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('snek-crash-');
});
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
});

describe.each(Object.entries(STORES))('kill -9 during concurrent PUTs and DELETEs on the %s store', (name, store) => {
  it(`loses no acknowledged write over ${CYCLES} crash cycles, and its change log agrees with its sneks after each`, async () => {
    const home = path.join(dir.path, name);
    await dir.write(`${name}/.snekrc`, store.config);
    const env = cleanEnv(home, { SNEK_ADMIN_TOKEN: TOKEN });
    const ledger: Ledger = { created: new Map(), overwritten: new Map(), deleted: new Set(), deleting: new Map(), logged: [] };
    let checked = 0;
    let changes = 0;
    for (let cycle = 0; cycle <= CYCLES; cycle++) {
      const server = await startServerProcess({ cwd: home, env });
      await store.checkStorage(home);
      expect(await (await fetch(`${server.url}/readyz`)).json()).toMatchObject({ status: 'ready' });
      const stored = await everything(server.url);
      checked = checkLedger(stored, ledger);
      changes = await checkLog(server.url, stored, ledger);
      if (cycle === CYCLES) {
        expect(await server.stop()).toBe(0);
        break;
      }
      await storm(server, cycle, ledger);
    }
    expect(ledger.created.size + ledger.deleted.size + ledger.deleting.size).toBeGreaterThanOrEqual(CYCLES * WRITERS);
    expect(ledger.deleted.size).toBeGreaterThan(0);
    console.log(`${name}: ${CYCLES} kill -9 cycles, ${checked} acknowledged sneks and ${ledger.logged.length} acknowledged writes checked against ${changes} changes after the last restart (${ledger.created.size} unique ids, ${ledger.deleted.size} deleted, ${ledger.overwritten.size} overwritten ids)`);
  }, 180_000);
});
