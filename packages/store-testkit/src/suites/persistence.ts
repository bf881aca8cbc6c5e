import assert from 'node:assert/strict';
import { same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { TRICKY_CONTENT, ids, padded, pageThrough, sampleSnek } from '../sample-sneks.js';

export function persistenceSuite(harness: Harness): void {
  harness.describe('persistence', () => {
    harness.test('everything written survives reopen byte for byte; deletes stay deleted', async (stores) => {
      let store = await stores.fresh();
      const tricky = Object.values(TRICKY_CONTENT).map((content, i) => sampleSnek(`t${i}`, { content, type: 'tricky' }));
      for (const snek of tricky) await store.put(snek);
      for (const id of padded('p', 120)) await store.put(sampleSnek(id, { type: 'bulk' }));
      await store.put(sampleSnek('p000', { content: 'overwritten' }));
      await store.delete('p001');
      store = await stores.reopen(store);
      same(await pageThrough(store, { type: 'tricky' }), tricky);
      same(ids(await pageThrough(store, { type: 'bulk' })), padded('p', 120).filter((id) => id !== 'p000' && id !== 'p001'));
      same(await store.get('p000'), sampleSnek('p000', { content: 'overwritten' }));
      assert.equal(await store.get('p001'), undefined);
    });

    harness.test('a reopened store keeps taking writes that survive the next reopen', async (stores) => {
      let store = await stores.fresh();
      await store.put(sampleSnek('first'));
      store = await stores.reopen(store);
      same(await store.put(sampleSnek('first', { content: 'v2' })), { created: false });
      await store.put(sampleSnek('second'));
      store = await stores.reopen(store);
      same(await pageThrough(store), [sampleSnek('first', { content: 'v2' }), sampleSnek('second')]);
    });
  });
}
