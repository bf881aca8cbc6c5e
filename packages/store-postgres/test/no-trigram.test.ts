import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { prepareSearch, rankSneks, type Snek, type SnekStore } from '@snek/core';
import plugin, { PostgresSnekStore } from '../src/index.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { withClient } from './helpers/test-schemas.js';

const available = await pgAvailable();

// A database of its own, without pg_trgm (the shared one may have it), and a role without CREATE on it.
const name = `snek_notrgm_${process.pid}`;
const asRole = () => {
  const url = new URL(TEST_PG_URL);
  url.username = name;
  url.password = '';
  url.pathname = `/${name}`;
  return url.toString();
};
const open: SnekStore[] = [];

async function create(): Promise<PostgresSnekStore> {
  const store = (await plugin.create({ url: asRole(), schema: 'snek' }, { configDir: process.cwd() })) as PostgresSnekStore;
  open.push(store);
  return store;
}

afterAll(async () => {
  if (!available) return;
  await Promise.all(open.map((store) => store.close()));
  await withClient(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(name)}`);
  });
});

const WORDS = ['Snek', 'numbr', 'Straße', 'naïve', '100%', 'a_b', 'x"y', 'back\\slash', '10', '🐍'];
const sneks: Snek[] = Array.from({ length: 60 }, (_, i) => ({ id: `n${i}`, name: `${WORDS[i % 10]} ${WORDS[(i * 7) % 10]}`, type: i % 2 ? 'cute' : 'plain', content: 'x' }));

(available ? describe : describe.skip)('search without pg_trgm (a role that may not create the extension)', () => {
  it('says so once and in status(), searches exactly as rankSneks by scans, and uses the index once a start can create it', async () => {
    await withClient(async (client) => {
      await client.query(`CREATE ROLE ${pg.escapeIdentifier(name)} LOGIN`);
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    });
    // The schema made for the role, as an operator would; the role has no CREATE on the database.
    const admin = new pg.Client({ connectionString: TEST_PG_URL.replace(/\/[^/]*$/, `/${name}`) });
    admin.on('error', () => undefined);
    await admin.connect();
    await admin.query(`CREATE SCHEMA snek AUTHORIZATION ${pg.escapeIdentifier(name)}`);

    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => (lines.push(String(chunk)), write(chunk, ...rest))) as typeof process.stderr.write;
    let store: PostgresSnekStore;
    try {
      store = await create();
      await create();
    } finally {
      process.stderr.write = write;
    }
    const ours = lines.filter((line) => line.includes('pg_trgm'));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/pg_trgm could not be created \(permission denied/);
    expect(await store.status()).toMatchObject({ search: { index: 'none', reason: expect.stringMatching(/permission denied/) } });

    for (const snek of sneks) await store.put(snek);
    for (const q of ['snek', 'numbr', 'strasse', 'naive', '%', '_', '"', '\\', '10', '🐍', 'n1', 'cute', 'zzz']) {
      const found = (await store.search({ q, limit: 500 })).items.map((item) => item.snek.id);
      expect({ q, found }).toEqual({ q, found: rankSneks(sneks, prepareSearch(q)).map((result) => result.snek.id) });
    }

    await admin.query(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(name)} TO ${pg.escapeIdentifier(name)}`);
    await admin.end();
    const again = await create();
    expect(await again.status()).toMatchObject({ search: { index: 'pg_trgm' } });
    expect((await again.search({ q: 'numbr', limit: 500 })).items.map((item) => item.snek.id)).toEqual(rankSneks(sneks, prepareSearch('numbr')).map((result) => result.snek.id));
  }, 60_000);
});
