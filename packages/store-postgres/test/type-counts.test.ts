import { describe, expect, it } from '@jest/globals';
import type { Change, Snek, SnekStore } from '@snek/core';
import plugin, { PostgresSnekStore } from '../src/index.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { cleanedUp, uniqueSchema, withClient } from './helpers/test-schemas.js';

const available = await pgAvailable();
const { schemas, open } = cleanedUp<SnekStore>(available);

async function create(schema: string): Promise<PostgresSnekStore> {
  const store = (await plugin.create({ url: TEST_PG_URL, schema }, { configDir: process.cwd() })) as PostgresSnekStore;
  open.push(store);
  return store;
}

const snek = (id: string, type: string): Snek => ({ id, name: `Snek ${id}`, type, content: `~${id}<\n` });
const TYPES = ['cute', 'fancy', 'plain'];

/** What a scan of the table says: the truth countTypes must equal. */
const scanned = (schema: string) =>
  withClient(async (client) => (await client.query<{ type: string; count: number }>(`SELECT type, count(*)::int AS count FROM "${schema}".sneks GROUP BY type`)).rows.sort((a, b) => (a.type < b.type ? -1 : 1)));

(available ? describe : describe.skip)('countTypes() on PostgreSQL (type_counts)', () => {
  it('stays exact while two stores on one schema write by every path at once, without a deadlock', async () => {
    const schema = uniqueSchema('counts');
    schemas.push(schema);
    const [a, b] = [await create(schema), await create(schema)];
    const writes: Array<Promise<unknown>> = [];
    for (let round = 0; round < 6; round++) {
      const type = (i: number) => TYPES[(i + round) % TYPES.length]!;
      writes.push(a.putMany(Array.from({ length: 300 }, (_, i) => snek(`m${i}`, type(i)))));
      writes.push(b.createMany(Array.from({ length: 200 }, (_, i) => snek(`c${i}`, type(i + 1)))));
      for (let i = 0; i < 40; i++) writes.push((i % 2 ? a : b).put(snek(`p${i}`, type(i))));
      for (let i = 0; i < 10; i++) writes.push(a.delete(`m${i * 3 + round}`), b.delete(`p${i + round}`));
      for (let i = 0; i < 10; i++) {
        writes.push(
          (async () => {
            const current = await b.get(`c${i}`);
            if (current) await (i % 2 ? b.putIf({ ...current, type: 'fancy' }, current) : b.deleteIf(current.id, current));
            else await b.putIf(snek(`c${i}`, 'plain'), null);
          })(),
        );
      }
    }
    const results = await Promise.allSettled(writes);
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const truth = await scanned(schema);
    expect(await a.countTypes()).toEqual(truth);
    expect(await b.countTypes()).toEqual(truth);
  });

  it('follows replayChanges, and a read that met many appended rows folds them back to one per type', async () => {
    const source = uniqueSchema('counts_src');
    const target = uniqueSchema('counts_dst');
    schemas.push(source, target);
    const from = await create(source);
    for (let i = 0; i < 120; i++) await from.put(snek(`r${i % 50}`, TYPES[i % 3]!));
    for (let i = 0; i < 10; i++) await from.delete(`r${i}`);
    const into = await create(target);
    const changes: Change[] = await from.changes({ limit: 1000 });
    await into.replayChanges(changes);
    expect(await into.countTypes()).toEqual(await scanned(target));
    // 120 single puts appended about 120 rows: the read above them compacts, finished once the store closes.
    const before = await from.countTypes();
    await from.close();
    const rows = await withClient(async (client) => (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${source}".type_counts`)).rows[0]!.n);
    expect(rows).toBe(before.length);
    expect(before).toEqual(await scanned(source));
  });
});
