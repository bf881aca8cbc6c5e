import { describe, expect, it } from '@jest/globals';
import type { Harness } from '../harness.js';
import { TRICKY_CONTENT, ids, padded, pageThrough, sampleSnek } from '../sample-sneks.js';

export function persistenceSuite(harness: Harness): void {
  describe('persistence', () => {
    it('everything written survives reopen byte for byte; deletes stay deleted', async () => {
      let store = await harness.fresh();
      const tricky = Object.values(TRICKY_CONTENT).map((content, i) => sampleSnek(`t${i}`, { content, type: 'tricky' }));
      for (const snek of tricky) await store.put(snek);
      for (const id of padded('p', 120)) await store.put(sampleSnek(id, { type: 'bulk' }));
      await store.put(sampleSnek('p000', { content: 'overwritten' }));
      await store.delete('p001');
      store = await harness.reopen(store);
      expect(await pageThrough(store, { type: 'tricky' })).toEqual(tricky);
      expect(ids(await pageThrough(store, { type: 'bulk' }))).toEqual(padded('p', 120).filter((id) => id !== 'p000' && id !== 'p001'));
      expect(await store.get('p000')).toEqual(sampleSnek('p000', { content: 'overwritten' }));
      expect(await store.get('p001')).toBeUndefined();
    });

    it('a reopened store keeps taking writes that survive the next reopen', async () => {
      let store = await harness.fresh();
      await store.put(sampleSnek('first'));
      store = await harness.reopen(store);
      expect(await store.put(sampleSnek('first', { content: 'v2' }))).toEqual({ created: false });
      await store.put(sampleSnek('second'));
      store = await harness.reopen(store);
      expect(await pageThrough(store)).toEqual([sampleSnek('first', { content: 'v2' }), sampleSnek('second')]);
    });
  });
}
