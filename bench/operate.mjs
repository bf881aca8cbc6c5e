// The operating cases of `pnpm bench` (alone: `pnpm bench --only operate`): moving a store, against the floor of
// loading the same sneks into the same kind of store in this run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SNEK_SERVER } from './processes.mjs';
import { row } from './measure.mjs';

const PG_URL = process.env.SNEK_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const psql = (sql) => spawnSync('psql', [PG_URL, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });

/** Wall time of one snek-server command in `cwd`, in seconds; its first line of output for the table. */
function timed(args, cwd, env) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [SNEK_SERVER, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`snek-server ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { seconds: (performance.now() - started) / 1000, stdout: result.stdout };
}

/** M1: `snek-server migrate` of `count` sneks from sqlite to postgres, with and without history, vs `import` into postgres. */
export async function operateCases({ work, data, count }) {
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
