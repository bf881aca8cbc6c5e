import assert from 'node:assert/strict';
import type { Snek, SnekStore, StoreConditionalWriter } from '@snek/core';
import { failsWith, same, sameAsOneOf } from '../assertions.js';
import type { Harness } from '../harness.js';
import { ids, pageThrough, sampleSnek } from '../sample-sneks.js';

const RACERS = 16;

/** The indexes of the results that resolved `ok: true`. */
function winners(results: ReadonlyArray<{ ok: boolean }>): number[] {
  return results.flatMap((result, i) => (result.ok ? [i] : []));
}

/** What a refused putIf()/deleteIf() reports the store holds; fails when the call was not refused. */
function refused(result: { ok: true } | { ok: false; current: Snek | undefined }, what: string): Snek | undefined {
  if (result.ok) assert.fail(`${what} resolved ok: true; it should be refused`);
  return result.current;
}

/**
 * The optional StoreConditionalWriter: putIf() and deleteIf() check and write in one atomic step, so of writers
 * racing from one version exactly one wins.
 */
export function conditionalWritesSuite(harness: Harness<SnekStore & StoreConditionalWriter>): void {
  harness.describe('putIf() and deleteIf() (optional: StoreConditionalWriter)', () => {
    harness.test('putIf(snek, null) creates a missing snek, and refuses, changing nothing, when the id exists', async (stores) => {
      const store = await stores.fresh();
      const first = sampleSnek('a', { content: 'first' });
      same(await store.putIf(first, null), { ok: true, created: true }, 'putIf(a, null) on a missing id');
      same(await store.putIf(sampleSnek('a', { content: 'second' }), null), { ok: false, current: first }, 'putIf(a, null) when a exists');
      same(await store.get('a'), first);
    });

    harness.test('putIf(snek, expected) replaces the snek only while it equals expected in every field', async (stores) => {
      const store = await stores.fresh();
      const stored = sampleSnek('a');
      await store.put(stored);
      for (const field of ['name', 'type', 'content'] as const) {
        const stale = { ...stored, [field]: field === 'type' ? 'other' : `${stored[field]} (edited)` };
        same(await store.putIf(sampleSnek('a', { content: 'not written' }), stale), { ok: false, current: stored }, `putIf() expecting a different ${field}`);
      }
      const next = sampleSnek('a', { name: 'Renamed', content: 'second' });
      same(await store.putIf(next, stored), { ok: true, created: false }, 'putIf() expecting the stored snek');
      same(await store.get('a'), next);
      same(await store.putIf(sampleSnek('a', { content: 'third' }), stored), { ok: false, current: next }, 'putIf() expecting the replaced version');
    });

    harness.test('putIf(snek, expected) on a missing id refuses with current undefined and creates nothing', async (stores) => {
      const store = await stores.fresh();
      assert.equal(refused(await store.putIf(sampleSnek('ghost'), sampleSnek('ghost')), 'putIf(ghost, expected) on a missing id'), undefined);
      assert.equal(await store.get('ghost'), undefined);
    });

    harness.test('deleteIf(id, expected) deletes only the expected version, and reports what is there otherwise', async (stores) => {
      const store = await stores.fresh();
      const stored = sampleSnek('a');
      await store.put(stored);
      same(await store.deleteIf('a', { ...stored, content: 'stale' }), { ok: false, current: stored }, 'deleteIf() expecting other content');
      same(await store.get('a'), stored);
      same(await store.deleteIf('a', stored), { ok: true }, 'deleteIf() expecting the stored snek');
      assert.equal(await store.get('a'), undefined);
      assert.equal(refused(await store.deleteIf('a', stored), 'deleteIf() of a deleted id'), undefined);
    });

    harness.test('a plain put() in between makes a putIf() from the older version fail', async (stores) => {
      const store = await stores.fresh();
      const seen = sampleSnek('a');
      await store.put(seen);
      const other = sampleSnek('a', { content: 'someone else' });
      await store.put(other);
      same(await store.putIf(sampleSnek('a', { content: 'mine' }), seen), { ok: false, current: other }, 'putIf() from the older version');
      same(await store.deleteIf('a', seen), { ok: false, current: other }, 'deleteIf() of the older version');
    });

    harness.test(
      `${RACERS} concurrent putIf() from the same expected version: exactly one succeeds, and the snek is its value whole`,
      async (stores) => {
        const store = await stores.fresh();
        for (let round = 0; round < 3; round++) {
          const base = sampleSnek('contended', { content: `base ${round}` });
          await store.put(base);
          const values = Array.from({ length: RACERS }, (_, i) => sampleSnek('contended', { name: `Racer ${i}`, content: `${i}`.repeat(1 + ((i * 997) % 3000)) }));
          const results = await Promise.all(values.map((snek) => store.putIf(snek, base)));
          const won = winners(results);
          assert.equal(won.length, 1, `round ${round}: how many putIf() succeeded`);
          same(results[won[0]!], { ok: true, created: false });
          same(await store.get('contended'), values[won[0]!], `round ${round}: the snek left is not the winner's value`);
          for (const result of results) if (!result.ok) sameAsOneOf(result.current, values, `round ${round}: a refused putIf() reports a snek none of the racers wrote`);
        }
      },
      60_000,
    );

    harness.test(
      `${RACERS} concurrent putIf(snek, null) on a new id: exactly one creates it, the rest see it`,
      async (stores) => {
        const store = await stores.fresh();
        const values = Array.from({ length: RACERS }, (_, i) => sampleSnek('fresh', { name: `Creator ${i}`, content: `by ${i}` }));
        const results = await Promise.all(values.map((snek) => store.putIf(snek, null)));
        const won = winners(results);
        assert.equal(won.length, 1, 'how many putIf(snek, null) succeeded');
        same(results[won[0]!], { ok: true, created: true });
        const final = await store.get('fresh');
        same(final, values[won[0]!], "the snek left is not the creator's value");
        for (const result of results) if (!result.ok) same(result.current, final, 'a refused putIf(snek, null) reports another snek than the one created');
        same(ids(await pageThrough(store)), ['fresh']);
      },
      60_000,
    );

    harness.test(
      'racing a deleteIf() and putIf()s from one version: exactly one of them wins, and a stale deleteIf() fails',
      async (stores) => {
        const store = await stores.fresh();
        const base = sampleSnek('a');
        await store.put(base);
        const puts = Array.from({ length: RACERS - 1 }, (_, i) => store.putIf(sampleSnek('a', { content: `put ${i}` }), base));
        const results = await Promise.all([store.deleteIf('a', base), ...puts]);
        assert.equal(winners(results).length, 1, 'how many of the racing deleteIf() and putIf() succeeded');
        const final = await store.get('a');
        if (results[0]!.ok) assert.equal(final, undefined, 'deleteIf() won, yet the snek is still there');
        else {
          assert.notEqual(final, undefined, 'a putIf() won, yet the snek is gone');
          same(await store.deleteIf('a', base), { ok: false, current: final }, 'a stale deleteIf()');
          same(await store.get('a'), final);
        }
      },
      60_000,
    );

    harness.test(
      '8 writers each adding 1 ten times by read-then-putIf(), retrying when refused, lose no update',
      async (stores) => {
        const store = await stores.fresh();
        await store.put(sampleSnek('counter', { content: '0' }));
        const add = async (): Promise<void> => {
          for (;;) {
            const seen = (await store.get('counter'))!;
            const result = await store.putIf({ ...seen, content: String(Number(seen.content) + 1) }, seen);
            if (result.ok) return;
          }
        };
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            for (let i = 0; i < 10; i++) await add();
          }),
        );
        assert.equal((await store.get('counter'))?.content, '80');
      },
      120_000,
    );

    harness.test('putIf() and deleteIf() fail with a SnekError STORE_CLOSED after close()', async (stores) => {
      const store = await stores.fresh();
      await stores.release(store);
      const snek = sampleSnek('a');
      await failsWith('STORE_CLOSED', 'putIf() after close()', () => store.putIf(snek, null));
      await failsWith('STORE_CLOSED', 'deleteIf() after close()', () => store.deleteIf('a', snek));
    });
  });
}
