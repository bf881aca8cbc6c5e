import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from './helpers/in-process.js';
import { BUILT_IN_STORES, dropBuiltInStoreData } from './helpers/store-configs.js';

// GET /v1/types from each store's own countTypes(), and from the walk through list() for a store without one
// (the example LevelDB store, by path, as a third party's would be).
const LEVEL_STORE = fileURLToPath(new URL('../../../examples/snek-store-level', import.meta.url));
const STORES: Record<string, string> = { ...BUILT_IN_STORES, 'level (no countTypes: the walk)': `server:\n  store: { use: ${JSON.stringify(LEVEL_STORE)}, options: { dir: ./data } }\n` };

// Types whose code-unit order differs from locale and natural orders: "-" < "." < digits < "_" < letters.
const TYPES = ['ab', 'a_a', 'a-c', 'a.b', 'a0', 'a9', 'a10', '9', '10', 'b'];

const servers: TestServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
  await dropBuiltInStoreData();
});

describe.each(Object.keys(STORES))('GET /v1/types on %s', (store) => {
  it('counts every snek once per type, types in code-unit order, after puts, moves and deletes', async () => {
    // No packs: only the sneks this test writes.
    const server = await startTestServer({ snekrc: STORES[store]!.replace('server:\n', 'server:\n  packs: []\n') });
    servers.push(server);
    const expected = new Map<string, number>();
    const nines: string[] = [];
    let n = 0;
    for (const type of TYPES) {
      for (let copy = 0; copy <= type.length % 3; copy++) {
        const id = `t-${n++}`;
        expect((await server.request(`/v1/sneks/${id}`, { method: 'PUT', json: { name: 'n', type, content: 'c' } })).status).toBe(201);
        expected.set(type, (expected.get(type) ?? 0) + 1);
        if (type === '9') nines.push(id);
      }
    }
    // Type "9" empties: one snek moves to "b", the others are deleted.
    expect((await server.request(`/v1/sneks/${nines[0]}`, { method: 'PUT', json: { name: 'n', type: 'b', content: 'c' } })).status).toBe(200);
    for (const id of nines.slice(1)) expect((await server.request(`/v1/sneks/${id}`, { method: 'DELETE' })).status).toBe(204);
    expected.delete('9');
    expected.set('b', expected.get('b')! + 1);
    const sorted = [...expected.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const response = await server.request('/v1/types');
    expect(response.status).toBe(200);
    const total = [...expected.values()].reduce((sum, count) => sum + count, 0);
    expect(await response.json()).toEqual({ types: sorted.map((type) => ({ type, count: expected.get(type) })), total });
  });
});
