// The postgres cases of `pnpm bench` (alone: `pnpm bench --only postgres`). Every figure is a ratio to something
// measured in this run: the express floor, the sqlite store, one replica.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openChangeStream } from './change-stream.mjs';
import { ROOT, SNEK_SERVER, startProcess, startSnekServer } from './processes.mjs';
import { SECONDS, WARMUP, hasWrk, load, row, versus, wrk, wrkPutScript } from './measure.mjs';

const PG_URL = process.env.SNEK_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const CROSS_SAMPLES = Number(process.env.SNEK_BENCH_CROSS_SAMPLES ?? 500);

const psql = (sql) => spawnSync('psql', [PG_URL, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });

/** Runs the postgres cases with 'data' (JSON lines of `count` sneks) in `work`; `env` holds the admin token. */
export async function postgresCases({ work, data, count, env, token }) {
  const probe = psql('SELECT 1');
  if (probe.status !== 0) {
    console.error(`postgres cases skipped: no PostgreSQL at ${new URL(PG_URL).host} (${(probe.stderr || probe.error?.message || '').trim()}); set SNEK_BENCH_PG_URL.`);
    return;
  }
  const schema = `snek_bench_${process.pid}`;
  const site = (name, store) => {
    const dir = path.join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, '.snekrc'), `server:\n  store: ${store}\n`);
    return dir;
  };
  const pgSite = site('postgres', `{ use: postgres, options: { urlEnv: SNEK_BENCH_PG, schema: ${schema}, pool: { max: 10 } } }`);
  const sqliteSite = site('sqlite-vs-postgres', '{ use: sqlite, options: { file: ./sneks.db } }');
  const pgEnv = { ...env, SNEK_BENCH_PG: PG_URL };
  const servers = [];
  const start = async (dir, environment) => {
    const server = await startSnekServer(dir, environment);
    servers.push(server);
    return server;
  };
  // The generator that saturates later measures the servers; the other is shown against the bare floor.
  const rate = hasWrk ? (url, duration) => wrk([url], { duration }).then((r) => r.perSecond) : (url, duration) => load(url, { duration }).then((r) => r.requests.average);
  const tool = hasWrk ? 'wrk' : 'autocannon';
  try {
    psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    const pg = await start(pgSite, pgEnv);
    const sqlite = await start(sqliteSite, env);
    const cute = await (await fetch(`${pg.url}/v1/sneks/cute`)).text();
    const floor = await startProcess([`${ROOT}bench/floor.mjs`, '$PORT', JSON.stringify({ '/v1/sneks/cute': cute })], { cwd: ROOT });
    servers.push(floor);

    // Is the load generator the bottleneck? Both against the bare floor: the higher figure is the truer one.
    const floorUrl = `${floor.url}/v1/sneks/cute`;
    await load(floorUrl, { duration: WARMUP });
    const byAutocannon = (await load(floorUrl)).requests.average;
    if (hasWrk) {
      const byWrk = (await wrk([floorUrl])).perSecond;
      row('P0 load generator on the bare floor, 32 connections', `wrk ${Math.round(byWrk)} req/s, autocannon ${Math.round(byAutocannon)} req/s = ${(byAutocannon / byWrk).toFixed(2)}x`);
    }

    const vsSqlite = await versus(`${sqlite.url}/v1/sneks/cute`, `${pg.url}/v1/sneks/cute`, rate);
    const vsFloor = await versus(floorUrl, `${pg.url}/v1/sneks/cute`, rate);
    row(`P1 GET /v1/sneks/cute, postgres vs sqlite (${tool}, 32 connections)`, `${Math.round(vsSqlite.snek)} vs ${Math.round(vsSqlite.floor)} req/s = ${vsSqlite.ratio.toFixed(2)}x sqlite; ${vsFloor.ratio.toFixed(2)}x floor ${Math.round(vsFloor.floor)}`, '>= 0.9x sqlite', vsSqlite.ratio >= 0.9);

    let n = 0;
    const body = JSON.stringify({ name: 'bench', type: 'bench', content: `${'~'.repeat(60)}<\n`.repeat(8) });
    const putRate = async (server) => {
      if (hasWrk) return (await wrk([`${server.url}/v1/sneks/x`], { script: wrkPutScript(path.join(work, `put-${n++}.lua`), token, body) })).perSecond;
      const result = await load(`${server.url}/v1/sneks/x`, {
        requests: [{ method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body, setupRequest: (req) => ({ ...req, path: `/v1/sneks/p4-${n++}` }) }],
      });
      return result['2xx'] / SECONDS;
    };
    const pgPuts = await putRate(pg);
    const sqlitePuts = await putRate(sqlite);
    const sync = psql('SHOW synchronous_commit').stdout.trim() || psql('SELECT 1').stdout.trim();
    row(`P4 durable PUT, 32 clients, postgres vs sqlite (${tool}; server's synchronous_commit: ${/\b(on|off|local|remote_write|remote_apply)\b/.exec(sync)?.[1] ?? 'unknown'})`, `${Math.round(pgPuts)} vs ${Math.round(sqlitePuts)} writes/s = ${(pgPuts / sqlitePuts).toFixed(2)}x sqlite`);
    for (const server of servers.splice(0)) await server.stop();

    psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    const started = performance.now();
    const imported = spawnSync(process.execPath, [SNEK_SERVER, 'import', data], { cwd: pgSite, encoding: 'utf8', env: { ...process.env, ...pgEnv } });
    if (imported.status !== 0) throw new Error(imported.stderr);
    const seconds = (performance.now() - started) / 1000;
    row(`P2 import ${count} sneks into postgres`, `${seconds.toFixed(1)} s (${imported.stdout.split('\n')[0]})`, '<= 5 s', seconds <= 5);

    const one = await start(pgSite, pgEnv);
    const query = `${one.url}/v1/sneks?type=cute&limit=50`;
    await load(query, { duration: WARMUP });
    const single = await load(query, { connections: 1 });
    row(`P3 postgres: GET ?type=cute&limit=50 of ${count}, 1 connection`, `p99 ${single.latency.p99} ms`, '<= 5 ms', single.latency.p99 <= 5);

    // 1 replica against 3 on this machine: the same three generators, all on one replica or one each.
    const others = [await start(pgSite, pgEnv), await start(pgSite, pgEnv)];
    const snek = `/v1/sneks/snek-${String(Math.floor(count / 2)).padStart(6, '0')}`;
    if (hasWrk) {
      await wrk([one.url + snek], { duration: WARMUP });
      const alone = (await wrk([one.url + snek, one.url + snek, one.url + snek])).perSecond;
      const spread = (await wrk([one, ...others].map((server) => server.url + snek))).perSecond;
      row(`P5 GET one snek of ${count}, 1 replica vs 3 (wrk, 32 connections, 2 cores)`, `${Math.round(alone)} vs ${Math.round(spread)} req/s = ${(spread / alone).toFixed(2)}x`);
    } else {
      row('P5 1 replica vs 3', 'not measured: needs wrk (apt-get install -y wrk)');
    }
    await crossReplica(one, others[0], token);
  } finally {
    for (const server of servers) await server.stop();
    psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}

const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];

/**
 * P6: PUTs through replica `a`, one at a time, each timed until an SSE client of replica `b` has its change (LISTEN/
 * NOTIFY, then b's tail reading the log). The floor is the same change reaching a client of `a` itself, in the same
 * samples, and the PUT's own answer.
 */
async function crossReplica(a, b, token) {
  const waiting = new Map();
  const arrived = (side) => (change) => waiting.get(`${side} ${change.id}`)?.(performance.now());
  const streams = [await openChangeStream(a.url, arrived('a')), await openChangeStream(b.url, arrived('b'))];
  const wait = (key) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(Infinity), 5000);
      waiting.set(key, (at) => (clearTimeout(timer), resolve(at)));
    });
  const onA = [];
  const onB = [];
  const answered = [];
  const body = (id) => JSON.stringify({ name: id, type: 'p6', content: `${id}\n` });
  try {
    for (let i = 0; i < CROSS_SAMPLES; i++) {
      const id = `p6-${process.pid}-${i}`;
      const seen = [wait(`a ${id}`), wait(`b ${id}`)];
      const started = performance.now();
      const response = await fetch(`${a.url}/v1/sneks/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body(id) });
      answered.push(performance.now() - started);
      if (response.status !== 201) throw new Error(`P6: PUT ${id} answered ${response.status}`);
      await response.arrayBuffer();
      const [atA, atB] = await Promise.all(seen);
      onA.push(atA - started);
      onB.push(atB - started);
      waiting.clear();
      // A pause of 0–20 ms, so the samples do not keep one phase against a polling timer.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
    }
  } finally {
    for (const stream of streams) stream.close();
  }
  for (const list of [onA, onB, answered]) list.sort((x, y) => x - y);
  const lost = onB.filter((ms) => ms === Infinity).length + onA.filter((ms) => ms === Infinity).length;
  const ms = (value) => (value === Infinity ? 'never (5 s)' : `${value.toFixed(1)} ms`);
  const p99 = percentile(onB, 0.99);
  row(
    `P6 a PUT through replica A reaching an SSE client of replica B, ${CROSS_SAMPLES} PUTs one at a time`,
    `p50 ${ms(percentile(onB, 0.5))}, p99 ${ms(p99)}, max ${ms(onB.at(-1))}; floor: the SSE client of A p99 ${ms(percentile(onA, 0.99))}, the PUT's answer p99 ${ms(percentile(answered, 0.99))}${lost ? `; ${lost} events never came` : ''}`,
    'p99 <= 1000 ms',
    p99 <= 1000 && lost === 0,
  );
}
