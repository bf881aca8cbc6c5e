// Write throughput with type counts kept (issue 20), by hand: 3 stores on one schema (as 3 servers), 16 writers
// each, all putting sneks of one type (the hot counter a naive counts table would have) for 10 s.
// node packages/store-postgres/bench/put-throughput.mjs [dist/index.js of another checkout, to compare]
import pg from 'pg';

const dist = process.argv[2] ?? new URL('../dist/index.js', import.meta.url).href;
const { default: plugin } = await import(dist);
const url = process.env.SNEK_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `snek_puts_${process.pid}`;
const SECONDS = Number(process.env.SNEK_PUT_SECONDS ?? 10);
const stores = [];
for (let i = 0; i < 3; i++) stores.push(await plugin.create({ url, schema }, { configDir: process.cwd() }));
// SNEK_PUT_SQL: run on the schema first (S. for it), to take a part away and see what it costs.
if (process.env.SNEK_PUT_SQL) {
  const admin = new pg.Client(url);
  await admin.connect();
  await admin.query(process.env.SNEK_PUT_SQL.replaceAll('S.', `"${schema}".`));
  await admin.end();
}
let puts = 0;
const until = Date.now() + SECONDS * 1000;
await Promise.all(
  stores.flatMap((store, s) =>
    Array.from({ length: 16 }, async (_, w) => {
      for (let i = 0; Date.now() < until; i++) {
        await store.put({ id: `p${s}-${w}-${i % 50}`, name: `Put ${i}`, type: 'hot', content: '~~~<\n' });
        puts++;
      }
    }),
  ),
);
console.log(`${dist}: ${Math.round(puts / SECONDS)} puts/s (3 stores x 16 writers, one type)`);
const counts = stores[0].countTypes ? await stores[0].countTypes() : [];
console.log('countTypes', JSON.stringify(counts));
for (const store of stores) await store.close();
const client = new pg.Client(url);
await client.connect();
await client.query(`DROP SCHEMA "${schema}" CASCADE`);
await client.end();
