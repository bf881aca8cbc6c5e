import { describe, expect, it } from '@jest/globals';
import { STORE_CAPABILITIES, SnekError, hasCapability, writesConditionally, type Snek, type SnekStore, type StoreConditionalWriter } from '@snek/core';
import type { Harness } from '../harness.js';
import { ids, pageThrough, sampleSnek } from '../sample-sneks.js';

const RACERS = 16;

/** Settles every promise; the ones that resolved `ok: true`, by index. */
function winners(results: ReadonlyArray<{ ok: boolean }>): number[] {
  return results.flatMap((result, i) => (result.ok ? [i] : []));
}

/**
 * The optional StoreConditionalWriter: putIf() and deleteIf() check and write in one atomic step, so of writers racing
 * from one version exactly one wins. A store declares it with `supports.conditionalWrites`; Jest decides what runs
 * before any store exists, so a store without it gets one skipped test that says so.
 */
export function conditionalWritesSuite(harness: Harness): void {
  const declared = harness.options.supports?.conditionalWrites;

  describe('optional capabilities', () => {
    it('has every method of each optional capability or none of them (the server ignores a capability that is half there)', async () => {
      const store = await harness.fresh();
      for (const capability of STORE_CAPABILITIES) {
        const present = capability.methods.filter((method) => typeof (store as unknown as Record<string, unknown>)[method] === 'function');
        expect({ capability: capability.name, present: present.length === 0 || hasCapability(store, capability.name) }).toEqual({ capability: capability.name, present: true });
      }
    });

    it('declares supports.conditionalWrites: true exactly when it has putIf() and deleteIf()', async () => {
      const store = await harness.fresh();
      const has = writesConditionally(store);
      // A store that has them without saying so would have its races go unchecked; false opts out on purpose.
      const acceptable = has ? declared !== undefined : declared !== true;
      expect({ hasPutIfAndDeleteIf: has, declared: declared ?? 'not set', acceptable }).toEqual({ hasPutIfAndDeleteIf: has, declared: declared ?? 'not set', acceptable: true });
    });
  });

  const title = 'putIf() and deleteIf() (optional: conditional writes)';
  if (!declared) {
    describe(title, () => {
      it.skip(`skipped: ${declared === false ? 'supports.conditionalWrites is false' : 'the store does not declare supports.conditionalWrites'}`, () => undefined);
    });
    return;
  }

  const writer = async (): Promise<SnekStore & StoreConditionalWriter> => {
    const store = await harness.fresh();
    if (!writesConditionally(store)) throw new Error('supports.conditionalWrites is true, but the store lacks putIf() or deleteIf()');
    return store;
  };

  describe(title, () => {
    it('putIf(snek, null) creates a missing snek, and refuses, changing nothing, when the id exists', async () => {
      const store = await writer();
      const first = sampleSnek('a', { content: 'first' });
      expect(await store.putIf(first, null)).toEqual({ ok: true, created: true });
      expect(await store.putIf(sampleSnek('a', { content: 'second' }), null)).toEqual({ ok: false, current: first });
      expect(await store.get('a')).toEqual(first);
    });

    it('putIf(snek, expected) replaces the snek only while it equals expected in every field', async () => {
      const store = await writer();
      const stored = sampleSnek('a');
      await store.put(stored);
      for (const field of ['name', 'type', 'content'] as const) {
        const stale = { ...stored, [field]: field === 'type' ? 'other' : `${stored[field]} (edited)` };
        expect(await store.putIf(sampleSnek('a', { content: 'not written' }), stale)).toEqual({ ok: false, current: stored });
      }
      const next = sampleSnek('a', { name: 'Renamed', content: 'second' });
      expect(await store.putIf(next, stored)).toEqual({ ok: true, created: false });
      expect(await store.get('a')).toEqual(next);
      expect(await store.putIf(sampleSnek('a', { content: 'third' }), stored)).toEqual({ ok: false, current: next });
    });

    it('putIf(snek, expected) on a missing id refuses with current undefined and creates nothing', async () => {
      const store = await writer();
      const result = await store.putIf(sampleSnek('ghost'), sampleSnek('ghost'));
      expect(result.ok).toBe(false);
      expect(result.ok ? 'written' : result.current).toBeUndefined();
      expect(await store.get('ghost')).toBeUndefined();
    });

    it('deleteIf(id, expected) deletes only the expected version, and reports what is there otherwise', async () => {
      const store = await writer();
      const stored = sampleSnek('a');
      await store.put(stored);
      expect(await store.deleteIf('a', { ...stored, content: 'stale' })).toEqual({ ok: false, current: stored });
      expect(await store.get('a')).toEqual(stored);
      expect(await store.deleteIf('a', stored)).toEqual({ ok: true });
      expect(await store.get('a')).toBeUndefined();
      const gone = await store.deleteIf('a', stored);
      expect(gone.ok).toBe(false);
      expect(gone.ok ? 'deleted' : gone.current).toBeUndefined();
    });

    it('a plain put() in between makes a putIf() from the older version fail', async () => {
      const store = await writer();
      const seen = sampleSnek('a');
      await store.put(seen);
      const other = sampleSnek('a', { content: 'someone else' });
      await store.put(other);
      expect(await store.putIf(sampleSnek('a', { content: 'mine' }), seen)).toEqual({ ok: false, current: other });
      expect(await store.deleteIf('a', seen)).toEqual({ ok: false, current: other });
    });

    it(`${RACERS} concurrent putIf() from the same expected version: exactly one succeeds, and the snek is its value whole`, async () => {
      const store = await writer();
      for (let round = 0; round < 3; round++) {
        const base = sampleSnek('contended', { content: `base ${round}` });
        await store.put(base);
        const values = Array.from({ length: RACERS }, (_, i) => sampleSnek('contended', { name: `Racer ${i}`, content: `${i}`.repeat(1 + ((i * 997) % 3000)) }));
        const results = await Promise.all(values.map((snek) => store.putIf(snek, base)));
        const won = winners(results);
        expect(won).toHaveLength(1);
        expect(results[won[0]!]).toEqual({ ok: true, created: false });
        expect(await store.get('contended')).toEqual(values[won[0]!]);
        for (const result of results) if (!result.ok) expect(values).toContainEqual(result.current);
      }
    }, 60_000);

    it(`${RACERS} concurrent putIf(snek, null) on a new id: exactly one creates it, the rest see it`, async () => {
      const store = await writer();
      const values = Array.from({ length: RACERS }, (_, i) => sampleSnek('fresh', { name: `Creator ${i}`, content: `by ${i}` }));
      const results = await Promise.all(values.map((snek) => store.putIf(snek, null)));
      const won = winners(results);
      expect(won).toHaveLength(1);
      expect(results[won[0]!]).toEqual({ ok: true, created: true });
      const final = await store.get('fresh');
      expect(final).toEqual(values[won[0]!]);
      for (const result of results) if (!result.ok) expect(result.current).toEqual(final);
      expect(ids(await pageThrough(store))).toEqual(['fresh']);
    }, 60_000);

    it('racing a deleteIf() and putIf()s from one version: exactly one of them wins, and a stale deleteIf() fails', async () => {
      const store = await writer();
      const base = sampleSnek('a');
      await store.put(base);
      const puts = Array.from({ length: RACERS - 1 }, (_, i) => store.putIf(sampleSnek('a', { content: `put ${i}` }), base));
      const results = await Promise.all([store.deleteIf('a', base), ...puts]);
      expect(winners(results)).toHaveLength(1);
      const final = await store.get('a');
      if (results[0]!.ok) expect(final).toBeUndefined();
      else {
        expect(final).toBeDefined();
        expect(await store.deleteIf('a', base)).toEqual({ ok: false, current: final });
        expect(await store.get('a')).toEqual(final);
      }
    }, 60_000);

    it('8 writers each adding 1 ten times by read-then-putIf(), retrying when refused, lose no update', async () => {
      const store = await writer();
      await store.put(sampleSnek('counter', { content: '0' }));
      const add = async () => {
        for (;;) {
          const seen = (await store.get('counter'))!;
          const result = await store.putIf({ ...seen, content: String(Number(seen.content) + 1) }, seen);
          if (result.ok) return;
        }
      };
      await Promise.all(Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 10; i++) await add();
      }));
      expect((await store.get('counter'))!.content).toBe('80');
    }, 120_000);

    it('putIf() and deleteIf() fail with a SnekError STORE_CLOSED after close()', async () => {
      const store = await writer();
      await harness.release(store);
      const snek: Snek = sampleSnek('a');
      for (const call of [() => store.putIf(snek, null), () => store.deleteIf('a', snek)]) {
        const error = await Promise.resolve().then(call).then(() => undefined, (e: unknown) => e);
        expect(SnekError.hasCode(error, 'STORE_CLOSED')).toBe(true);
      }
    });
  });
}
