import { describe, expect, it } from '@jest/globals';
import { countsTypes, createsInBulk, keepsChangeLog, replaysChanges, takesSnapshots, writesConditionally, writesInBulk, type SnekStore } from '@snek/core';
import { MemorySnekStore } from '@snek/store-memory';
import { withConditionalWrites } from '../src/conditional-fallback.js';
import { guardStore } from '../src/guarded-store.js';

/** A memory store without putIf and deleteIf, as a third-party store may be: every other method stays. */
function withoutConditionalWrites(store: MemorySnekStore): SnekStore {
  const { putIf: _putIf, deleteIf: _deleteIf, ...rest } = Object.fromEntries(
    Object.getOwnPropertyNames(Object.getPrototypeOf(store))
      .filter((name) => name !== 'constructor' && typeof (store as unknown as Record<string, unknown>)[name] === 'function')
      .map((name) => [name, (...args: unknown[]) => (store as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args)]),
  );
  return rest as unknown as SnekStore;
}

describe('the conditional-write fallback', () => {
  it('keeps every capability that writes no snek (snapshot, type counts, the log) and drops those that would go around its queue', async () => {
    const store = withConditionalWrites(guardStore(withoutConditionalWrites(new MemorySnekStore()), 'memory'));
    expect([writesConditionally(store), takesSnapshots(store), countsTypes(store), keepsChangeLog(store)]).toEqual([true, true, true, true]);
    expect([writesInBulk(store), createsInBulk(store), replaysChanges(store)]).toEqual([false, false, false]);
    await store.put({ id: 'a', name: 'A', type: 't', content: 'a\n' });
    expect(await store.putIf({ id: 'a', name: 'A2', type: 't', content: 'a2\n' }, { id: 'a', name: 'A', type: 't', content: 'a\n' })).toMatchObject({ ok: true });
    if (!takesSnapshots(store)) throw new Error('unreachable: checked above');
    const view = await store.snapshot();
    const sneks = [];
    for await (const batch of view.sneks()) sneks.push(...batch);
    await view.close();
    expect(sneks).toEqual([{ id: 'a', name: 'A2', type: 't', content: 'a2\n' }]);
    await store.close();
  });
});
