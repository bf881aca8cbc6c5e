// Times FsSnekStore.open of a folder of n sneks, written with putMany and closed cleanly (as an import leaves it):
// node scripts/open-bench.mjs [n] [repo root, default this one] [folder, reused when it holds a store]
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const n = Number(process.argv[2] ?? 100_000);
const root = process.argv[3] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { FsSnekStore } = await import(path.join(root, 'packages/store-fs/dist/index.js'));
const dir = process.argv[4] ?? (await mkdtemp(path.join(tmpdir(), 'snek-open-')));
const TYPES = ['cute', 'fancy', 'plain', 'tiny', 'long', 'wavy', 'coiled', 'sleepy', 'happy', 'grumpy'];

if (!existsSync(path.join(dir, '.snek-changes.jsonl'))) {
  const store = await FsSnekStore.open(dir);
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let at = 0; at < n; at += 1000) {
    const batch = [];
    for (let i = at; i < Math.min(n, at + 1000); i++) batch.push({ id: `snek-${String(i).padStart(6, '0')}`, name: `Snek ${i}`, type: TYPES[i % 10], content: `${'~'.repeat(20 + (i % 40))}<\n`.repeat(12) });
    await store.putMany(batch);
  }
  const used = process.cpuUsage(cpu);
  console.log(`${root}: import of ${n}: ${(performance.now() - started).toFixed(0)} ms (cpu ${((used.user + used.system) / 1000).toFixed(0)} ms)`);
  await store.close();
}
for (let round = 0; round < 3; round++) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const store = await FsSnekStore.open(dir);
  const opened = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const first = performance.now();
  if (store.search) await store.search({ q: 'snek 4242', limit: 50 });
  console.log(`${root}: open ${opened.toFixed(0)} ms (cpu ${((used.user + used.system) / 1000).toFixed(0)} ms), first search ${(performance.now() - first).toFixed(0)} ms`);
  await store.close();
}
console.log(dir);
