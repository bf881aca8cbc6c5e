// pnpm bench: every case runs the real server as a separate process; targets are ratios within this run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { writeSneks } from './data.mjs';
import { ROOT, SNEK, SNEK_SERVER, startProcess, startSnekServer } from './processes.mjs';
import { SECONDS, WARMUP, load, row, rows, versus } from './measure.mjs';
import { postgresCases } from './postgres.mjs';
import { operateCases } from './operate.mjs';
import { printScaleTables, scaleCases } from './scale.mjs';

const SNEKS = Number(process.env.SNEK_BENCH_SNEKS ?? 100_000);
const TOKEN = 'bench-token';
const REST = Number(process.env.SNEK_BENCH_REST ?? 30);
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
// --scale runs the scale cases alone (bench/scale.mjs): they take their own sizes, so they mix with no other group.
const SCALE = process.argv.includes('--scale');
if (SCALE && ONLY !== undefined) {
  console.error('pnpm bench --scale runs alone: leave out --only.');
  process.exit(2);
}
if (ONLY !== undefined && ONLY !== 'core' && ONLY !== 'postgres' && ONLY !== 'http' && ONLY !== 'operate') {
  console.error(`pnpm bench --only takes "core" (B1–B7), "http" (B1 and B2), "postgres" (P0–P6) or "operate" (export, M0–M1 migrate), not ${JSON.stringify(ONLY)}.`);
  process.exit(2);
}
const work = mkdtempSync(path.join(tmpdir(), 'snek-bench-'));
const data = path.join(work, 'sneks.jsonl');

/**
 * RSS after REST seconds without requests: V8's memory reducer gives back the garbage of a burst some
 * 10–20 s after it ends, so this is what the server holds, not what it last threw away.
 */
async function restingRss(server) {
  await new Promise((resolve) => setTimeout(resolve, REST * 1000));
  return server.rssMb();
}

function site(name, snekrc) {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, '.snekrc'), snekrc);
  return dir;
}

/** Median wall time of a command over `runs`, interleaved with the others so drift hits all alike. */
function medians(commands, runs) {
  const times = commands.map(() => []);
  for (let i = 0; i < runs; i++) {
    commands.forEach((command, c) => {
      const started = process.hrtime.bigint();
      const result = spawnSync(command[0], command.slice(1), { stdio: 'ignore' });
      if (result.status !== 0) throw new Error(`${command.join(' ')} exited ${result.status}`);
      times[c].push(Number(process.hrtime.bigint() - started) / 1e6);
    });
  }
  return times.map((t) => t.sort((a, b) => a - b)[t.length >> 1]);
}

const env = { SNEK_ADMIN_TOKEN: TOKEN };
let raw;
async function coreCases() {
  // B1, B2, B4, B5 on the default store: SQLite, bootstrapped with the three sneks.
  const defaults = await startSnekServer(site('default', ''), env);
  const cute = await (await fetch(`${defaults.url}/v1/sneks/cute`)).text();
  const legacy = await (await fetch(`${defaults.url}/sneks?name=cute`)).text();
  const floor = await startProcess([`${ROOT}bench/floor.mjs`, '$PORT', JSON.stringify({ '/v1/sneks/cute': cute, '/sneks': legacy })], { cwd: ROOT });
  const b1 = await versus(`${floor.url}/v1/sneks/cute`, `${defaults.url}/v1/sneks/cute`);
  row('B1 GET /v1/sneks/cute, sqlite, 32 connections', `${Math.round(b1.snek)} req/s vs floor ${Math.round(b1.floor)} = ${b1.ratio.toFixed(2)}x`, '>= 0.8x', b1.ratio >= 0.8);
  const b2 = await versus(`${floor.url}/sneks?name=cute`, `${defaults.url}/sneks?name=cute`);
  row("B2 the prototype's GET /sneks?name=cute", `${Math.round(b2.snek)} req/s vs floor ${Math.round(b2.floor)} = ${b2.ratio.toFixed(2)}x`, '>= 0.8x', b2.ratio >= 0.8);
  await floor.stop();
  // B1 and B2 alone: how the request path itself moved, e.g. from one commit to the next.
  if (ONLY === 'http') return defaults.stop();

  let n = 0;
  const body = JSON.stringify({ name: 'bench', type: 'bench', content: `${'~'.repeat(60)}<\n`.repeat(8) });
  const b4 = await load(`${defaults.url}/v1/sneks/x`, {
    requests: [{ method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body, setupRequest: (req) => ({ ...req, path: `/v1/sneks/b4-${n++}` }) }],
  });
  // The store's details (synchronous) go only to a request with a read-scope token.
  const ready = await (await fetch(`${defaults.url}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
  row(`B4 durable PUT, sqlite (synchronous=${ready.synchronous}), 32 clients`, `${Math.round(b4['2xx'] / SECONDS)} writes/s`, '>= 2000', b4['2xx'] / SECONDS >= 2000);

  // `snek cute` goes through the CLI's cache (a 304 after its first run): the bench's own folder, not the user's.
  process.env.XDG_CACHE_HOME = path.join(work, 'xdg-cache');
  const [bare, cli, cached] = medians([[process.execPath, '-e', ''], [process.execPath, SNEK, '--type', 'cute', '--url', defaults.url], [process.execPath, SNEK, 'cute', '--url', defaults.url]], 30);
  row('B5 snek --type cute vs node -e "" (median of 30)', `${cli.toFixed(1)} ms vs ${bare.toFixed(1)} ms = ${(cli / bare).toFixed(2)}x`, '<= 1.3x', cli / bare <= 1.3);
  row('B5 snek cute, revalidated from its cache (304), vs node -e ""', `${cached.toFixed(1)} ms vs ${bare.toFixed(1)} ms = ${(cached / bare).toFixed(2)}x`, '<= 1.3x', cached / bare <= 1.3);
  await defaults.stop();

  // 100,000 sneks in each store, through `snek-server import` (and `--import` for memory, which lives in the server).
  raw ??= writeSneks(data, SNEKS);
  const stores = {
    sqlite: site('sqlite', 'server:\n  store: { use: sqlite, options: { file: ./sneks.db } }\n'),
    fs: site('fs', 'server:\n  store: { use: fs, options: { dir: ./sneks } }\n'),
    memory: site('memory', 'server:\n  store: memory\n'),
  };
  for (const store of ['sqlite', 'fs']) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [SNEK_SERVER, 'import', data], { cwd: stores[store], encoding: 'utf8' });
    if (result.status !== 0) throw new Error(result.stderr);
    row(`import ${SNEKS} sneks into ${store}`, `${((performance.now() - started) / 1000).toFixed(1)} s (${result.stdout.split('\n')[0]})`);
  }

  for (const store of ['sqlite', 'fs', 'memory']) {
    if (store === 'memory') {
      // The memory store lives in the server, so it is filled by `snek-server --import`, before listening.
      const empty = await startSnekServer(stores.memory, env);
      const emptyRss = await restingRss(empty);
      await empty.stop();
      const server = await startProcess([SNEK_SERVER, '--port', '$PORT', '--import', data], { cwd: stores.memory, env });
      row(`start with --import of ${SNEKS} sneks into memory`, `${(server.ms / 1000).toFixed(1)} s`);
      const peak = server.rssMb() - emptyRss;
      const grown = (await restingRss(server)) - emptyRss;
      const mb = raw / 2 ** 20;
      row(`B7 memory store: RSS growth for ${SNEKS} sneks vs their raw bytes, ${REST} s after loading`, `${grown.toFixed(0)} MB vs ${mb.toFixed(0)} MB = ${(grown / mb).toFixed(2)}x (${(peak / mb).toFixed(2)}x right after)`, '<= 2.5x', grown / mb <= 2.5);
      await b3(store, server);
      continue;
    }
    const starts = [];
    let server;
    for (let i = 0; i < 3; i++) {
      server?.stop && (await server.stop());
      server = await startSnekServer(stores[store], env);
      starts.push(server.ms);
    }
    const start = starts.sort((a, b) => a - b)[starts.length >> 1];
    const limit = store === 'sqlite' ? 500 : 3000;
    row(`B6 ${store}: start to ready with ${SNEKS} sneks (median of 3)`, `${start.toFixed(0)} ms`, `<= ${limit} ms`, start <= limit);
    await b3(store, server);
  }

  async function b3(store, server) {
    const query = `${server.url}/v1/sneks?type=cute&limit=50`;
    await load(query, { duration: WARMUP });
    const single = await load(query, { connections: 1 });
    row(`B3 ${store}: GET ?type=cute&limit=50 of ${SNEKS}, 1 connection`, `p99 ${single.latency.p99} ms`, '<= 5 ms', single.latency.p99 <= 5);
    const many = (await load(query)).requests.average;
    row(`B3 ${store}: same, 32 connections`, `${Math.round(many)} req/s = ${(many / b1.snek).toFixed(2)}x B1`, '>= 0.5x B1', many / b1.snek >= 0.5);
    if (store === 'sqlite') {
      const busy = server.rssMb();
      const rss = await restingRss(server);
      row(`B7 sqlite: server RSS with ${SNEKS} sneks, ${REST} s after B3's load`, `${rss.toFixed(0)} MB (${busy.toFixed(0)} MB right after it)`, '<= 150 MB', rss <= 150);
    }
    await server.stop();
  }
}

try {
  if (SCALE) await scaleCases({ work, env });
  else if (ONLY === undefined || ONLY === 'core' || ONLY === 'http') await coreCases();
  if (!SCALE && (ONLY === undefined || ONLY === 'postgres')) {
    raw ??= writeSneks(data, SNEKS);
    await postgresCases({ work, data, count: SNEKS, env, token: TOKEN });
  }
  if (!SCALE && (ONLY === undefined || ONLY === 'operate')) {
    raw ??= writeSneks(data, SNEKS);
    await operateCases({ work, data, count: SNEKS, env });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const version = spawnSync(process.execPath, ['--version'], { encoding: 'utf8' }).stdout.trim();
if (SCALE) {
  console.log(`\nNode ${version}, ${cpus().length} × ${cpus()[0].model}; one connection, one request at a time, p99 from the client`);
  printScaleTables();
} else {
  console.log(`\nNode ${version}, ${cpus().length} × ${cpus()[0].model}, ${SECONDS} s per load case, autocannon${ONLY === 'core' || ONLY === 'http' || ONLY === 'operate' ? '' : ' (and wrk where shown)'}\n`);
  console.log('| case | measured | target | |\n| --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.name} | ${r.value} | ${r.target ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'met' : '**missed**'} |`);
}
process.exitCode = rows.some((r) => r.pass === false) ? 1 : 0;
