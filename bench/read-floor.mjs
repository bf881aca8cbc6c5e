// The floor of an export: the same rows read in the same keyset batches of 500 through the same driver, written as
// JSON lines to a file, with nothing of Snek between. `node bench/read-floor.mjs sqlite FILE OUT` or
// `node bench/read-floor.mjs postgres URL SCHEMA OUT`.
import { openSync, writeSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ROOT } from './processes.mjs';

const BATCH = 500;
const [kind, ...args] = process.argv.slice(2);
const out = openSync(args.at(-1), 'w');
const write = (rows) => writeSync(out, rows.map((r) => `${JSON.stringify({ id: r.id, name: r.name, type: r.type, content: r.content })}\n`).join(''));

if (kind === 'sqlite') {
  const { openConnection } = await import(`${ROOT}packages/store-sqlite/dist/driver.js`);
  const db = await openConnection(args[0]);
  db.exec('BEGIN');
  const page = db.prepare('SELECT id, name, type, content FROM sneks WHERE id > ? ORDER BY id LIMIT ?');
  for (let after = ''; ; ) {
    const rows = page.all(after, BATCH);
    if (rows.length === 0) break;
    write(rows);
    after = rows.at(-1).id;
  }
  db.exec('COMMIT');
  db.close();
} else {
  const pg = createRequire(`${ROOT}packages/store-postgres/package.json`)('pg');
  const client = new pg.Client({ connectionString: args[0] });
  await client.connect();
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  const table = `${pg.escapeIdentifier(args[1])}.sneks`;
  for (let after = ''; ; ) {
    const { rows } = await client.query(`SELECT id, name, type, content FROM ${table} WHERE id > $1 ORDER BY id LIMIT $2`, [after, BATCH]);
    if (rows.length === 0) break;
    write(rows);
    after = rows.at(-1).id;
  }
  await client.query('COMMIT');
  await client.end();
}
closeSync(out);
