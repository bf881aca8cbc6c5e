// Issue 20 at scale, by hand (not part of `pnpm bench`): imports N sneks (as bench/data.mjs makes them) into a fresh schema with
// `snek-server import`, then times countTypes, browse pages and searches through the store, one call at a time.
// node packages/store-postgres/bench/scale.mjs [count] [snek-server.js of another checkout, to compare imports]
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import plugin from '../dist/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const URL_ = process.env.SNEK_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const count = Number(process.argv[2] ?? 1_000_000);
const server = process.argv[3] ?? `${ROOT}packages/server/bin/snek-server.js`;
// SNEK_SCALE_SCHEMA: time the reads on a schema imported before, without importing or dropping it.
const kept = process.env.SNEK_SCALE_SCHEMA;
const schema = kept ?? `snek_scale_${process.pid}`;
const work = path.join(tmpdir(), `snek-scale-${count}`);
mkdirSync(work, { recursive: true });
const data = path.join(work, 'sneks.jsonl');
if (!existsSync(data)) writeSneks(data, count);

/** bench/data.mjs's sneks, written a chunk at a time: a million of them are more than one string may hold. */
function writeSneks(file, n) {
  const types = ['cute', 'fancy', 'plain', 'tiny', 'long', 'wavy', 'coiled', 'sleepy', 'happy', 'grumpy'];
  const fd = openSync(file, 'w');
  for (let at = 0; at < n; at += 10_000) {
    const lines = [];
    for (let i = at; i < Math.min(n, at + 10_000); i++) {
      const width = 20 + ((i * 7) % 40);
      const content = `${Array.from({ length: 12 }, (_, r) => ' '.repeat((r * 3 + i) % 9) + '~'.repeat(width - (r % 5)) + (r % 4 ? '' : '<')).join('\n')}\n`;
      lines.push(JSON.stringify({ id: `snek-${String(i).padStart(6, '0')}`, name: `Snek ${i}`, type: types[i % types.length], content }));
    }
    writeSync(fd, `${lines.join('\n')}\n`);
  }
  closeSync(fd);
}
writeFileSync(path.join(work, '.snekrc'), `server:\n  store: { use: postgres, options: { urlEnv: SNEK_SCALE_PG, schema: ${schema} } }\n`);
const psql = (sql) => spawnSync('psql', [URL_, '-X', '-q', '-At', '-c', sql], { encoding: 'utf8' });

const p = (times, q) => times.slice().sort((a, b) => a - b)[Math.min(times.length - 1, Math.floor(times.length * q))];
async function time(label, runs, call) {
  for (let i = 0; i < 5; i++) await call(i);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call(i);
    times.push(performance.now() - started);
  }
  console.log(`${label}: p50 ${p(times, 0.5).toFixed(2)} ms, p99 ${p(times, 0.99).toFixed(2)} ms`);
}

async function main() {
  const started = performance.now();
  const imported = kept ? { status: 0, stdout: 'kept' } : spawnSync(process.execPath, [server, 'import', data], { cwd: work, encoding: 'utf8', env: { ...process.env, SNEK_SCALE_PG: URL_ } });
  if (imported.status !== 0) throw new Error(imported.stderr);
  console.log(`import ${count}: ${((performance.now() - started) / 1000).toFixed(1)} s (${imported.stdout.split('\n')[0]})`);
  if (process.argv[3]) return;
  // As autovacuum would soon after an import; each alone, since VACUUM cannot run in psql -c's one transaction.
  psql(`VACUUM ANALYZE "${schema}".sneks`);
  psql(`ANALYZE "${schema}".changes`);
  const store = await plugin.create({ url: URL_, schema }, { configDir: work });
  await time('countTypes', 200, () => store.countTypes());
  const deep = (i) => `snek-${String((i * 7919) % count).padStart(6, '0')}`;
  for (const sort of ['id', 'name', 'updated']) {
    await time(`browse ${sort} first page of 50`, 200, () => store.browse({ sort, limit: 50 }));
    const positions = (await store.browse({ sort, limit: 500 })).items.map((item) => item.position);
    await time(`browse ${sort} after a position, type cute`, 200, (i) => store.browse({ sort, limit: 50, type: 'cute', after: positions[i % positions.length] }));
    await time(`browse ${sort} before a position`, 200, (i) => store.browse({ sort, limit: 50, before: positions[i % positions.length] }));
  }
  const ranks = (await store.search({ q: 'snek', limit: 500 })).items.map((item) => item.rank);
  await time('search "snek" first page of 50', 200, () => store.search({ q: 'snek', limit: 50 }));
  await time('search "snek" after a rank', 200, (i) => store.search({ q: 'snek', limit: 50, after: ranks[i % ranks.length] }));
  await time('search "snek 12" first page', 200, () => store.search({ q: 'snek 12', limit: 50 }));
  await time('search "Snek 123456" (exact)', 200, () => store.search({ q: 'Snek 123456', limit: 50 }));
  await time('search an id "snek-0424"', 100, () => store.search({ q: 'snek-0424', limit: 50 }));
  await time('search a near miss "snak 99999"', 100, () => store.search({ q: 'snak 99999', limit: 50 }));
  await time('search hostile %_\\\\"\' x1000', 50, () => store.search({ q: `%_\\"'`.repeat(200), limit: 50 }));
  await time('search "zzzz" (nothing)', 100, () => store.search({ q: 'zzzz', limit: 50 }));
  await time('get one', 200, (i) => store.get(deep(i)));
  await store.close();
}

try {
  await main();
} finally {
  if (!kept) psql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
