// Times the memory store's browse and search at one size: node scripts/index-bench.mjs 100000
// Prints load time, RSS, the first search (which builds the postings), and p50/p99 of pages and searches.
import plugin from '../dist/index.js';

const n = Number(process.argv[2] ?? 100_000);
const TYPES = ['cute', 'fancy', 'plain', 'tiny', 'long', 'wavy', 'coiled', 'sleepy', 'happy', 'grumpy'];
const rss = () => Math.round(process.memoryUsage().rss / 2 ** 20);
const time = async (f) => {
  const start = process.hrtime.bigint();
  const result = await f();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
};
const pct = (xs, p) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))].toFixed(2);

const rss0 = rss();
const store = await plugin.create(undefined, { configDir: process.cwd() });
// Ids in a scrambled order, so the orders see inserts everywhere, not only at the end.
const load = await time(async () => {
  for (let k = 0; k < n; k++) {
    const i = (k * 7919) % n;
    await store.put({ id: `snek-${String(i).padStart(7, '0')}`, name: `Snek number ${i}`, type: TYPES[i % 10], content: `~~~~<${i}\n` });
  }
});
const rssLoaded = rss();
const firstBrowse = await time(() => store.browse({ sort: 'name', limit: 50 }));
const firstSearch = await time(() => store.search({ q: 'snek', limit: 50 }));
global.gc?.();
const rssBuilt = rss();
console.log(`n=${n} load ${load.ms.toFixed(0)} ms; rss ${rss0} MB empty, ${rssLoaded} MB loaded, ${rssBuilt} MB with orders and postings; first browse(name) ${firstBrowse.ms.toFixed(0)} ms, first search ${firstSearch.ms.toFixed(0)} ms`);

const rounds = 200;
for (const sort of ['id', 'name', 'updated']) {
  for (const type of [undefined, 'cute']) {
    const times = [];
    let after;
    for (let r = 0; r < rounds; r++) {
      const query = { sort, limit: 50, ...(type ? { type } : {}), ...(after ? { after } : {}) };
      const { ms, result } = await time(() => store.browse(query));
      times.push(ms);
      // Jump about: the next page starts after a random snek's position half the time.
      after = r % 2 ? result.items.at(-1)?.position : (await store.browse({ sort, limit: 1, after: { key: sort === 'updated' ? Math.floor(Math.random() * n) : `snek number ${Math.floor(Math.random() * n)}`, id: '' } })).items[0]?.position;
    }
    console.log(`browse sort=${sort} type=${type ?? '-'} limit=50: p50 ${pct(times, 0.5)} ms, p99 ${pct(times, 0.99)} ms`);
  }
}
const queries = ['snek', 'number', 'snek number 4242', `snek number ${n - 1}`, 'snek 1', 'snke', 'snek numbr 77', 'nmuber', 'zzzz', '2', '%', 'cute', 'snek-00001', 'ber 12'];
for (const q of queries) {
  const times = [];
  let after;
  let total = 0;
  for (let r = 0; r < 40; r++) {
    const { ms, result } = await time(() => store.search({ q, limit: 50, ...(after ? { after } : {}) }));
    times.push(ms);
    total = result.items.length;
    after = result.more && r % 4 !== 3 ? result.items.at(-1).rank : undefined;
  }
  console.log(`search "${q}": p50 ${pct(times, 0.5)} ms, p99 ${pct(times, 0.99)} ms (page of ${total})`);
}
await store.close();
