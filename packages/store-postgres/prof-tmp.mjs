import plugin from './dist/index.js';
import pg from 'pg';
const url = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `snek_prof_${process.pid}`;
const store = await plugin.create({ url, schema }, { configDir: '/tmp' });
const types = ['cute', 'fancy', 'plain', 'tiny', 'long', 'wavy'];
const N = 20000;
for (let at = 0; at < N; at += 5000) await store.putMany(Array.from({ length: 5000 }, (_, i) => { const n = at + i; return { id: `snek-${String(n).padStart(7, '0')}`, name: n % 8 ? `Snek number ${n}` : `Sleepy noodle ${n}`, type: types[n % 6], content: '~~~<\n' }; }));
const c = new pg.Client(url); await c.connect(); await c.query(`ANALYZE "${schema}".sneks`);
for (const q of ['Snek number 12345', 'Snek number 1234', 'Snek nubmer 12345', 'snek', 'umber 1234']) {
  const t = performance.now(); let r;
  for (let i = 0; i < 10; i++) r = await store.search({ q, limit: 48 });
  console.log(q, ((performance.now() - t) / 10).toFixed(2), 'ms', r.items.length, r.items.map((x) => x.rank.tier).join('').slice(0, 50));
}
await store.close();
await c.query(`DROP SCHEMA "${schema}" CASCADE`); await c.end();
