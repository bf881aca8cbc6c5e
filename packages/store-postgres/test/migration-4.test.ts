import { describe, expect, it } from '@jest/globals';
import { compareSortPositions, naturalKey, prepareSearch, rankSneks, type Snek, type SnekStore } from '@snek/core';
import plugin, { PostgresSnekStore } from '../src/index.js';
import { MIGRATIONS } from '../src/migrations.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { cleanedUp, uniqueSchema, withClient } from './helpers/test-schemas.js';

const available = await pgAvailable();
const { schemas, open } = cleanedUp<SnekStore>(available);

const NAMES = ['Snek 10', 'Snek 2', 'STRASSE 7', 'Straße 3', 'ΣΊΣΥΦΟΣ', '🐍 snek', 'naïve 100%', 'a_b', 'Zed'];

/** A schema as release 3 of the store left it: sneks from before the change log (no change), and some with one. */
async function schemaAtVersion3(schema: string, sneks: Snek[], logged: number): Promise<void> {
  await withClient(async (client) => {
    const s = `"${schema}"`;
    await client.query(`CREATE SCHEMA ${s}; CREATE TABLE ${s}.schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    for (const [at, step] of MIGRATIONS.slice(0, 3).entries()) {
      await client.query((step as (schema: string) => string)(s));
      await client.query(`INSERT INTO ${s}.schema_migrations (version) VALUES ($1)`, [at + 1]);
    }
    const column = (key: keyof Snek) => sneks.map((snek) => snek[key]);
    await client.query(`INSERT INTO ${s}.sneks (id, name, type, content) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`, [column('id'), column('name'), column('type'), column('content')]);
    for (const [i, snek] of sneks.slice(0, logged).entries()) {
      await client.query(`INSERT INTO ${s}.changes (seq, id, op, name, type, content, at) VALUES ($1, $2, 'put', $3, $4, $5, now())`, [i + 1, snek.id, snek.name, snek.type, snek.content]);
    }
    await client.query(`UPDATE ${s}.change_counter SET seq = $1`, [logged]);
  });
}

(available ? describe : describe.skip)('migration 4 (search, sorted pages, type counts) on a database of release 3', () => {
  it('backfills name keys and counts for the rows there, then serves browse, search and countTypes as a fresh schema would', async () => {
    const schema = uniqueSchema('upgrade');
    schemas.push(schema);
    // More than one backfill batch (5000 rows).
    const sneks: Snek[] = Array.from({ length: 6200 }, (_, i) => ({ id: `u${String(i).padStart(5, '0')}`, name: `${NAMES[i % NAMES.length]} ${i % 97}`, type: ['cute', 'plain', 'fancy'][i % 3]!, content: `~${i}<\n` }));
    await schemaAtVersion3(schema, sneks, 40);
    const store = (await plugin.create({ url: TEST_PG_URL, schema }, { configDir: process.cwd() })) as PostgresSnekStore;
    open.push(store);
    expect(await store.status()).toMatchObject({ schemaVersion: MIGRATIONS.length, search: { index: 'pg_trgm' } });

    const counts = new Map<string, number>();
    for (const snek of sneks) counts.set(snek.type, (counts.get(snek.type) ?? 0) + 1);
    expect(await store.countTypes()).toEqual([...counts].map(([type, count]) => ({ type, count })).sort((a, b) => (a.type < b.type ? -1 : 1)));

    const byName = (await store.browse({ sort: 'name', limit: 500 })).items.map((item) => item.snek.id);
    const expected = sneks.map((snek) => ({ id: snek.id, position: { key: naturalKey(snek.name), id: snek.id } })).sort((a, b) => compareSortPositions('name', a.position, b.position));
    expect(byName).toEqual(expected.slice(0, 500).map((found) => found.id));

    for (const q of ['straße', 'snek 2', 'σίσυφος', '100%', 'a_b']) {
      const found = (await store.search({ q, limit: 20 })).items.map((item) => item.snek.id);
      expect(found).toEqual(rankSneks(sneks, prepareSearch(q)).slice(0, 20).map((result) => result.snek.id));
    }

    // sort=updated: the 40 logged, newest first, then the rest at seq 0 by id; a write moves one to the front.
    const updated = (await store.browse({ sort: 'updated', limit: 45 })).items.map((item) => item.position);
    expect(updated.slice(0, 3)).toEqual([{ key: 40, id: 'u00039' }, { key: 39, id: 'u00038' }, { key: 38, id: 'u00037' }]);
    expect(updated.slice(40, 42)).toEqual([{ key: 0, id: 'u00040' }, { key: 0, id: 'u00041' }]);
    await store.put({ ...sneks[100]!, name: 'Renamed', type: 'new' });
    expect((await store.browse({ sort: 'updated', limit: 1 })).items[0]!.position).toEqual({ key: 41, id: sneks[100]!.id });
    expect((await store.browse({ sort: 'updated', limit: 2, after: { key: 0, id: 'u00099' } })).items.map((item) => item.snek.id)).toEqual(['u00101', 'u00102']);
    expect((await store.search({ q: 'renamed', limit: 5 })).items.map((item) => item.snek.id)).toEqual([sneks[100]!.id]);
    expect((await store.countTypes()).find((count) => count.type === 'new')).toEqual({ type: 'new', count: 1 });
  }, 60_000);
});
