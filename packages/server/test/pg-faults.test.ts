import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { createPgCluster, freePort, skipWithoutPgCluster, type PgCluster } from './helpers/pg-cluster.js';
import { acknowledged, eventually, getSnek, missingFrom, pgServerEnv, startReplicas, writePgSnekrc, writeStorm } from './helpers/pg-replicas.js';
import { killAllServers, runServerToExit, startServerProcess, type ServerProcess } from './helpers/server-process.js';

// PostgreSQL itself fails here: a throwaway cluster of this file's own (initdb + pg_ctl), killed and restarted
// under real snek-server processes. Never the machine's shared server.
const skip = skipWithoutPgCluster();
const describeCluster = skip ? describe.skip : describe;

let dir: TempDir;
let cluster: PgCluster;
beforeAll(async () => {
  if (skip) return;
  dir = await tempDir('snek-pg-faults-');
  cluster = await createPgCluster();
}, 120_000);
afterAll(async () => {
  killAllServers();
  await cluster?.destroy();
  await dir?.cleanup();
}, 60_000);

async function expectProblem(base: string, pathname: string, status: number): Promise<void> {
  const response = await fetch(`${base}${pathname}`);
  expect([pathname, response.status, response.headers.get('content-type')]).toEqual([pathname, status, expect.stringMatching(/^application\/problem\+json/)]);
  await response.arrayBuffer();
}

const statusOf = async (base: string, pathname: string) => {
  const response = await fetch(`${base}${pathname}`, { signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.status;
};

describeCluster('PostgreSQL down at start', () => {
  it('exits with STORE_INIT_FAILED naming host, port and database, never the password, after retrying', async () => {
    const port = await freePort();
    const url = `postgres://snek:pw-s3cret-9@127.0.0.1:${port}/sneks_db`;
    await writePgSnekrc(dir.path, { url, schema: 'down', storeTimeout: 3 });
    const { code, stderr } = await runServerToExit({ cwd: dir.path, env: pgServerEnv(dir.path, url) });
    expect(code).toBe(1);
    expect(stderr).toContain('STORE_INIT_FAILED');
    expect(stderr).toContain(`127.0.0.1:${port}`);
    expect(stderr).toContain('sneks_db');
    expect(stderr).not.toContain('pw-s3cret-9');
    // More than one attempt: it waited for PostgreSQL instead of giving up at the first refusal.
    expect(stderr).toMatch(/\(([2-9]|\d\d+) attempts/);
  });

  it('starts serving once PostgreSQL comes up within server.storeTimeout', async () => {
    await cluster.kill();
    await writePgSnekrc(dir.path, { url: cluster.url, schema: 'late', storeTimeout: 60 });
    const starting = startServerProcess({ cwd: dir.path, env: pgServerEnv(dir.path, cluster.url) });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await cluster.start();
    const server = await starting;
    expect(await statusOf(server.url, '/readyz')).toBe(200);
    await server.stop();
  }, 90_000);
});

describeCluster('PostgreSQL killed and restarted under 3 replicas and 32 clients', () => {
  let replicas: ServerProcess[];
  beforeAll(async () => {
    await writePgSnekrc(dir.path, { url: cluster.url, schema: 'outage', timeouts: 2 });
    replicas = await startReplicas(dir.path, cluster.url, 3);
  }, 60_000);

  it('answers 503 while it is down, serves again in the same processes, and loses no acknowledged write', async () => {
    const pids = replicas.map((replica) => replica.child.pid);
    let phase: 'before' | 'down' | 'after' = 'before';
    let afterAcks = 0;
    const storm = writeStorm({
      replicas,
      clients: 32,
      perClient: 200,
      prefix: 'outage',
      stop: () => phase === 'after' && afterAcks >= 64,
      onOutcome: (outcome) => {
        if (phase === 'after' && (outcome.status === 200 || outcome.status === 201)) afterAcks++;
      },
    });
    await eventually(async () => (await statusOf(replicas[0]!.url, '/readyz')) === 200 && (await getSnek(replicas[0]!.url, 'outage-0-2')).status === 200, 30_000);

    await cluster.kill();
    phase = 'down';
    const killedAt = Date.now();
    // Every replica notices within the store's timeouts (2 s here): reads and /readyz answer 503, /healthz stays 200.
    const noticed = await eventually(async () => {
      for (const replica of replicas) if ((await statusOf(replica.url, '/v1/sneks/outage-0-0')) !== 503 || (await statusOf(replica.url, '/readyz')) !== 503) return false;
      return true;
    }, 20_000);
    expect(noticed).toBe(true);
    process.stderr.write(`pg-faults: all 3 replicas answered 503 ${Date.now() - killedAt} ms after PostgreSQL was killed\n`);
    for (const replica of replicas) {
      await expectProblem(replica.url, '/v1/sneks/outage-0-0', 503);
      await expectProblem(replica.url, '/readyz', 503);
      expect(await statusOf(replica.url, '/healthz')).toBe(200);
    }

    await cluster.start();
    const restartedAt = Date.now();
    const back = await eventually(async () => {
      for (const replica of replicas) if ((await statusOf(replica.url, '/readyz')) !== 200) return false;
      return true;
    }, 30_000);
    expect(back).toBe(true);
    process.stderr.write(`pg-faults: all 3 replicas ready ${Date.now() - restartedAt} ms after PostgreSQL restarted\n`);
    phase = 'after';
    const outcomes = await storm;

    // The same processes, never restarted.
    expect(replicas.map((replica) => [replica.child.pid, replica.child.exitCode])).toEqual(pids.map((pid) => [pid, null]));
    expect(afterAcks).toBeGreaterThanOrEqual(64);
    const ok = acknowledged(outcomes);
    for (const replica of replicas) expect(await missingFrom(replica.url, ok)).toEqual([]);
    // A write that got an error is not reported done. It may still have committed (the answer was lost, not the
    // write), so it is either absent or whole: never torn.
    const failed = outcomes.filter((outcome) => outcome.status !== 200 && outcome.status !== 201);
    expect(failed.length).toBeGreaterThan(0);
    const torn: string[] = [];
    for (let at = 0; at < failed.length; at += 16) {
      const slice = failed.slice(at, at + 16);
      const reads = await Promise.all(slice.map((outcome) => getSnek(replicas[at % 3]!.url, outcome.id)));
      slice.forEach((outcome, i) => {
        if (reads[i]!.status !== 404 && reads[i]!.snek?.content !== outcome.content) torn.push(`${outcome.id}: ${reads[i]!.status}`);
      });
    }
    expect(torn).toEqual([]);
  }, 120_000);
});
