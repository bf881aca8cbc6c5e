// The operating cases of `pnpm bench` (alone: `pnpm bench --only operate`): what an operator runs beside a serving
// store. Each case is one function below, shown against a floor measured in the same run:
// - exportCases: `snek-server export` of every snek, sqlite and postgres, against reading the same rows bare.
// - migrateCases: `snek-server migrate` of every snek from sqlite to postgres, with and without history, against
//   `snek-server import` of the same sneks into postgres.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, SNEK_SERVER } from './processes.mjs';
import { row } from './measure.mjs';

const PG_URL = process.env.SNEK_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUNS = 3;
// Below the 57 MB that 100,000 sneks make as JSON lines: an export that held them would fail here.
const HEAP_CAP_MB = 48;
const psql = (sql) => spawnSync('psql', [PG_URL, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });

/** Runs every operating case with `data` (JSON lines of `count` sneks) in `work`. */
export async function operateCases(context) {
  await exportCases(context);
  await migrateCases(context);
}

function site(work, name, store) {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, '.snekrc'), `server:\n  store: ${store}\n`);
  return dir;
}

/** Wall time and peak RSS (MB) of `node SCRIPT ARGS` in `cwd`, through bench/peak-rss.mjs. */
function measured(cwd, script, args, env = {}) {
  const rssFile = path.join(cwd, `.rss-${process.pid}`);
  const started = performance.now();
  const result = spawnSync(process.execPath, [`${ROOT}bench/peak-rss.mjs`, script, ...args], { cwd, env: { ...process.env, ...env, SNEK_BENCH_RSS_FILE: rssFile }, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${script} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const rss = Number(readFileSync(rssFile, 'utf8'));
  rmSync(rssFile);
  return { ms, rss, stderr: result.stderr };
}

/** The run of median time. */
function medianOf(runs) {
  return [...runs].sort((a, b) => a.ms - b.ms)[runs.length >> 1];
}

async function exportCases({ work, data, count, env }) {
  const sqlite = site(work, 'export-sqlite', '{ use: sqlite, options: { file: ./sneks.db } }');
  const schema = `snek_bench_export_${process.pid}`;
  const pgOk = psql('SELECT 1').status === 0;
  const targets = [{ name: 'sqlite', dir: sqlite, env, floor: ['sqlite', path.join(sqlite, 'sneks.db')] }];
  if (pgOk) {
    psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    targets.push({ name: 'postgres', dir: site(work, 'export-postgres', `{ use: postgres, options: { urlEnv: SNEK_BENCH_PG, schema: ${schema} } }`), env: { ...env, SNEK_BENCH_PG: PG_URL }, floor: ['postgres', PG_URL, schema] });
  } else {
    console.error(`export from postgres skipped: no PostgreSQL at ${new URL(PG_URL).host}; set SNEK_BENCH_PG_URL.`);
  }
  try {
    for (const target of targets) {
      const filled = spawnSync(process.execPath, [SNEK_SERVER, 'import', data], { cwd: target.dir, env: { ...process.env, ...target.env }, encoding: 'utf8' });
      if (filled.status !== 0) throw new Error(filled.stderr);
      const out = path.join(target.dir, 'export.jsonl');
      const floorOut = path.join(target.dir, 'floor.jsonl');
      const exports = [];
      const floors = [];
      for (let i = 0; i < RUNS; i++) {
        exports.push(measured(target.dir, SNEK_SERVER, ['export', '--out', out], target.env));
        floors.push(measured(target.dir, `${ROOT}bench/read-floor.mjs`, [...target.floor, floorOut]));
      }
      // The export is the floor's bytes exactly: same rows, same fields, same order.
      if (!readFileSync(out).equals(readFileSync(floorOut))) throw new Error(`the export of ${target.name} differs from the rows read bare`);
      const mb = statSync(out).size / 2 ** 20;
      const exported = medianOf(exports);
      const floor = medianOf(floors);
      const time = exported.ms / floor.ms;
      // The whole command against the whole bare script; the export's own time (after start and store open) beside it.
      const own = /in ([\d.]+) s/.exec(exported.stderr)?.[1];
      row(`export ${count} sneks from ${target.name} (${mb.toFixed(0)} MB of JSON lines, median of ${RUNS})`, `${(exported.ms / 1000).toFixed(2)} s (${own} s after start) vs bare read ${(floor.ms / 1000).toFixed(2)} s = ${time.toFixed(2)}x`, '<= 2x', time <= 2);
      const peak = Math.max(...exports.map((run) => run.rss));
      const floorPeak = Math.max(...floors.map((run) => run.rss));
      row(`export ${count} sneks from ${target.name}: peak RSS of the process`, `${peak.toFixed(0)} MB vs bare read ${floorPeak.toFixed(0)} MB (+${(peak - floorPeak).toFixed(0)} MB)`, '<= bare + 64 MB', peak <= floorPeak + 64);
      // Flat, not merely lucky with the GC: the same export in a V8 heap too small to hold what it writes.
      const capped = measured(target.dir, SNEK_SERVER, ['export', '--out', out], { ...target.env, NODE_OPTIONS: `--max-old-space-size=${HEAP_CAP_MB}` });
      const same = readFileSync(out).equals(readFileSync(floorOut));
      row(`export ${count} sneks from ${target.name} in a ${HEAP_CAP_MB} MB V8 heap (${mb.toFixed(0)} MB written)`, `${same ? 'complete' : 'differs'}, ${(capped.ms / 1000).toFixed(2)} s, peak RSS ${capped.rss.toFixed(0)} MB`, 'completes', same);
    }
  } finally {
    if (pgOk) psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}

/** Wall time of one snek-server command in `cwd`, in seconds; its first line of output for the table. */
function timed(args, cwd, env) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [SNEK_SERVER, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`snek-server ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { seconds: (performance.now() - started) / 1000, stdout: result.stdout };
}

/** M1: `snek-server migrate` of `count` sneks from sqlite to postgres, with and without history, vs `import` into postgres. */
async function migrateCases({ work, data, count }) {
  if (psql('SELECT 1').status !== 0) {
    console.error(`operate cases skipped: no PostgreSQL at ${new URL(PG_URL).host}; set SNEK_BENCH_PG_URL.`);
    return;
  }
  const schemas = ['floor', 'history', 'plain'].map((name) => `snek_bench_${name}_${process.pid}`);
  const env = { SNEK_BENCH_PG: PG_URL };
  const site = (name, store) => {
    const dir = path.join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, '.snekrc'), `server:\n  packs: []\n  store: ${store}\n`);
    return dir;
  };
  const pgStore = (schema) => `{ use: postgres, options: { urlEnv: SNEK_BENCH_PG, schema: ${schema} } }`;
  const pgSpec = (schema) => JSON.stringify({ use: 'postgres', options: { url: PG_URL, schema } });
  try {
    for (const schema of schemas) psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    const box = site('operate-sqlite', '{ use: sqlite, options: { file: ./sneks.db } }');
    timed(['import', data], box, env);
    // The floor: the same sneks, from the same file, into postgres through its bulk path (one change each).
    const floor = timed(['import', data], site('operate-floor', pgStore(schemas[0])), env).seconds;
    const history = timed(['migrate', '--to', pgSpec(schemas[1])], box, env);
    const plain = timed(['migrate', '--no-history', '--to', pgSpec(schemas[2])], box, env);
    if (!history.stdout.includes(`verified: the same ${count} sneks`) || !plain.stdout.includes(`verified: the same ${count} sneks`)) throw new Error(`migrate did not verify ${count} sneks:\n${history.stdout}\n${plain.stdout}`);
    row(`M0 import ${count} sneks into postgres (the floor)`, `${floor.toFixed(1)} s`);
    row(`M1 migrate ${count} sneks sqlite -> postgres with history (${count} changes), verified`, `${history.seconds.toFixed(1)} s = ${(history.seconds / floor).toFixed(2)}x the floor`, '<= 2x', history.seconds / floor <= 2);
    row(`M1 same, --no-history (sneks only), verified`, `${plain.seconds.toFixed(1)} s = ${(plain.seconds / floor).toFixed(2)}x the floor`, '<= 2x', plain.seconds / floor <= 2);
  } finally {
    for (const schema of schemas) psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}
