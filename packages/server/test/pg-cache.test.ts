import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { TEST_PG_URL, pgAvailable } from '../../store-postgres/test/helpers/pg-available.js';
import { dropSchemas, uniqueSchema, withClient } from '../../store-postgres/test/helpers/test-schemas.js';
import { localPortsOf } from './helpers/local-ports.js';
import { eventually, getSnek, putSnek, startReplicas, writePgSnekrc } from './helpers/pg-replicas.js';
import { killAllServers, type ServerProcess } from './helpers/server-process.js';

// Replica A's read cache while its LISTEN connection is killed again and again, and replica B writes: two real
// snek-server processes on the shared test PostgreSQL, in a schema of this file's own (dropped after).
const available = await pgAvailable();
const describePg = available ? describe : describe.skip;

/** server.cache.maxStaleMs of both replicas: small, to keep the test short. */
const MAX_STALE_MS = 300;
/**
 * Room for the clocks and timers around one read. The bound is the contract's, not a speed: a read may miss a write
 * acknowledged less than maxStaleMs before it started, and must never miss one acknowledged longer before. The
 * server measures it from the start of its tail's last read of the log, which comes after the write's commit, and
 * the test from its own receipt of the acknowledgement, later still: this slack is for timer granularity only.
 */
const SLACK_MS = 100;
const KILLS = 5;

let dir: TempDir;
let schema: string;
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  if (!available) return;
  dir = await tempDir('snek-pg-cache-');
  schema = uniqueSchema('cache');
  await writePgSnekrc(dir.path, { url: TEST_PG_URL, schema, cacheMaxStaleMs: MAX_STALE_MS });
  [a, b] = (await startReplicas(dir.path, TEST_PG_URL, 2)) as [ServerProcess, ServerProcess];
}, 60_000);

afterAll(async () => {
  killAllServers();
  if (!available) return;
  await dropSchemas([schema]);
  await dir.cleanup();
});

/**
 * Ends the LISTEN backends that serve `server`, and only those: this schema's application_name, a LISTEN as the
 * last statement, and a client port of that process. Never another test's or another engineer's backends.
 */
async function terminateListener(server: ServerProcess): Promise<number> {
  const ports = [...(await localPortsOf(server.child.pid!))];
  return withClient(async (client) => {
    const { rows } = await client.query<{ pid: number; ended: boolean }>(
      `SELECT pid, pg_terminate_backend(pid) AS ended FROM pg_stat_activity
        WHERE application_name = $1 AND query ILIKE 'LISTEN%' AND client_port = ANY($2::int[]) AND pid <> pg_backend_pid()`,
      [`snek ${schema}`, ports],
    );
    return rows.filter((row) => row.ended).length;
  });
}

/** How many LISTEN backends serve `server` right now. */
async function listeners(server: ServerProcess): Promise<number> {
  const ports = [...(await localPortsOf(server.child.pid!))];
  return withClient(async (client) => {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'LISTEN%' AND client_port = ANY($2::int[])`, [`snek ${schema}`, ports]);
    return Number(rows[0]!.n);
  });
}

describePg('the read cache of a replica whose LISTEN connection is killed (pg_terminate_backend)', () => {
  it(`never serves a snek staler than server.cache.maxStaleMs (${MAX_STALE_MS} ms) while another replica writes it`, async () => {
    const id = 'hot';
    const version = (content: string) => Number(/^v(\d+)\n/.exec(content)?.[1]);
    expect(await putSnek(b.url, id, { name: id, type: 'cache', content: 'v0\n' })).toBe(201);
    // ackedAt[v]: when the test had B's acknowledgement of version v (Date.now(), the clock the server uses too).
    const ackedAt: number[] = [Date.now()];
    expect(await eventually(async () => (await listeners(a)) === 1, 20_000)).toBe(true);

    let stop = false;
    const writer = (async () => {
      for (let v = 1; !stop; v++) {
        const status = await putSnek(b.url, id, { name: id, type: 'cache', content: `v${v}\n` });
        expect([v, status]).toEqual([v, 200]);
        ackedAt[v] = Date.now();
      }
    })();
    const stale: string[] = [];
    let reads = 0;
    const readers = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const started = Date.now();
        // The newest version B had acknowledged more than the bound before this read started.
        let owed = -1;
        for (let v = ackedAt.length - 1; v >= 0; v--) {
          if (ackedAt[v] !== undefined && ackedAt[v]! < started - MAX_STALE_MS - SLACK_MS) {
            owed = v;
            break;
          }
        }
        const read = await getSnek(a.url, id);
        expect(read.status).toBe(200);
        const got = version(read.snek!.content);
        reads++;
        if (got < owed) stale.push(`read at +${started - ackedAt[0]!} ms got v${got}, but v${owed} was acknowledged ${started - ackedAt[owed]!} ms before`);
      }
    });

    let killed = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      // Each time, A has a listener again (it reconnected), and the kill ends it.
      expect(await eventually(async () => (await listeners(a)) === 1, 20_000)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      killed += await terminateListener(a);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    stop = true;
    await Promise.all([writer, ...readers]);

    expect(killed).toBe(KILLS);
    expect(stale).toEqual([]);
    expect(ackedAt.length).toBeGreaterThan(KILLS * 5);
    expect(reads).toBeGreaterThan(KILLS * 5);
    // Settled, A serves B's last write.
    expect(await eventually(async () => (await getSnek(a.url, id)).snek?.content === `v${ackedAt.length - 1}\n`, 10_000)).toBe(true);
    process.stderr.write(`pg-cache: ${reads} reads through A, ${ackedAt.length - 1} writes through B, ${killed} LISTEN backends of A terminated\n`);
  }, 90_000);
});
