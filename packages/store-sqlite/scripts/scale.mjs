// Scale figures of the sqlite store at N sneks (default 1M): `node scripts/scale.mjs [N] [WORKDIR]` after a build;
// SCALE_REUSE=1 measures the store WORKDIR holds already, without the import.
// Imports N sneks named "Snek number <i>" with `snek-server import`, then times countTypes, browse pages and
// searches on the store directly (the store's own cost, without HTTP) and prints p50/p99 in ms.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteSnekStore } from '../dist/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const count = Number(process.argv[2] ?? 1_000_000);
const work = process.argv[3] ?? path.join(tmpdir(), 'snek-scale-sqlite');
const TYPES = ['cute', 'fancy', 'plain', 'tiny', 'long', 'wavy', 'coiled', 'sleepy', 'happy', 'grumpy'];

const reuse = process.env.SCALE_REUSE === '1';
if (!reuse) rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const data = path.join(work, 'sneks.jsonl');
if (!reuse) {
const lines = [];
for (let i = 0; i < count; i++) {
  const content = `${'~'.repeat(20 + (i % 40))}<\n`.repeat(6);
  lines.push(JSON.stringify({ id: `snek-${String(i).padStart(7, '0')}`, name: `Snek number ${i}`, type: TYPES[i % TYPES.length], content }));
}
writeFileSync(data, `${lines.join('\n')}\n`);
lines.length = 0;
writeFileSync(path.join(work, '.snekrc'), 'server:\n  store: { use: sqlite, options: { file: ./sneks.db } }\n');

const started = performance.now();
const imported = spawnSync(process.execPath, [path.join(ROOT, 'packages/server/bin/snek-server.js'), 'import', data], { cwd: work, encoding: 'utf8' });
if (imported.status !== 0) throw new Error(imported.stderr);
console.log(`import ${count}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const store = await SqliteSnekStore.open(path.join(work, 'sneks.db'));
async function timed(label, runs, call) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await call(i);
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label}: p50 ${ms[runs >> 1].toFixed(2)} ms, p99 ${ms[Math.floor(runs * 0.99)].toFixed(2)} ms`);
}
await timed('countTypes', 200, () => store.countTypes());
for (const sort of ['id', 'name', 'updated']) {
  let after;
  await timed(`browse ${sort} 50/page, 200 pages on`, 200, async () => {
    const page = await store.browse({ sort, limit: 50, ...(after ? { after } : {}) });
    after = page.items.at(-1).position;
  });
  await timed(`browse ${sort} type=cute before`, 100, async (i) => {
    await store.browse({ sort, type: 'cute', limit: 50, before: { key: sort === 'updated' ? 500_000 - i : `snek number 006${i}`, id: 'snek-0500000' } });
  });
}
const queries = ['snek', 'Snek number', 'number', 'snek number 12', 'number 12345', '123456', 'snek numbr 12345', 'snk', 'sn', '7', 'zzzz', 'cute', 'x"y%_\\', '🐍'];
for (const q of queries) {
  await timed(`search ${JSON.stringify(q)} limit 20`, 30, () => store.search({ q, limit: 20 }));
}
let after;
await timed('search "snek" 20 pages on', 50, async () => {
  const page = await store.search({ q: 'snek', limit: 20, ...(after ? { after } : {}) });
  after = page.items.at(-1).rank;
});
await store.close();
