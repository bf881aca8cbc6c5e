import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Actor } from '@snek/core';
import { sampleSnek } from '@snek/store-testkit';
import plugin, { PostgresSnekStore } from '../src/index.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { cleanedUp, uniqueSchema, withClient } from './helpers/test-schemas.js';

// Puts made in one turn share one batch statement (put-batches.ts): each must still log its own actor, keep the
// order of one id, and fail alone for a reason of its own.
const available = await pgAvailable();
const { schemas, open } = cleanedUp<PostgresSnekStore>(available);

async function create(): Promise<{ store: PostgresSnekStore; table: string }> {
  const schema = uniqueSchema('batches');
  schemas.push(schema);
  const store = (await plugin.create({ url: TEST_PG_URL, schema }, { configDir: process.cwd() })) as PostgresSnekStore;
  open.push(store);
  return { store, table: `${pg.escapeIdentifier(schema)}.sneks` };
}

const person = (id: string): Actor => ({ kind: 'person', id, name: id, email: `${id}@example.com`, via: 'company' });

(available ? describe : describe.skip)('postgres puts committed in groups', () => {
  it('put() of several sneks in one turn logs each change with its own actor', async () => {
    const { store } = await create();
    const ids = ['a', 'b', 'c', 'd'];
    await Promise.all(ids.map((id) => store.put(sampleSnek(id), { actor: person(`by-${id}`) })));
    const changes = await store.changes();
    expect(changes.map((change) => [change.id, change.actor?.id])).toEqual(expect.arrayContaining(ids.map((id) => [id, `by-${id}`])));
    expect(changes).toHaveLength(ids.length);
  });

  it('put() of one id twice in one turn leaves the later snek in the row and as the newest change', async () => {
    const { store } = await create();
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all([
        store.put(sampleSnek('x', { content: `first ${round}` }), { actor: person('first') }),
        store.put(sampleSnek('other', { content: `${round}` })),
        store.put(sampleSnek('x', { content: `second ${round}` }), { actor: person('second') }),
      ]);
      expect(results[2]).toEqual({ created: false });
      expect((await store.get('x'))?.content).toBe(`second ${round}`);
      const [newest] = await store.latestChanges(['x']);
      expect([newest?.snek?.content, newest?.actor?.id]).toEqual([`second ${round}`, 'second']);
    }
  });

  it('a row PostgreSQL refuses fails only its own put; the others of its batch are written', async () => {
    const { store, table } = await create();
    await withClient((client) => client.query(`ALTER TABLE ${table} ADD CONSTRAINT refuse_name CHECK (name <> 'refused')`));
    const settled = await Promise.allSettled(['a', 'b', 'c'].map((id) => store.put(sampleSnek(id, { name: id === 'b' ? 'refused' : id }))));
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.list()).items.map((snek) => snek.id)).toEqual(['a', 'c']);
    expect((await store.changes()).map((change) => change.id).sort()).toEqual(['a', 'c']);
  });

  it('a batch that fails for another reason rejects every put with STORE_UNAVAILABLE and tries none again', async () => {
    const { store, table } = await create();
    // query_canceled (57014) stands for a timeout: whether such a statement committed cannot be known.
    await withClient((client) =>
      client.query(`CREATE FUNCTION ${table}_cancel() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.name = 'cancel' THEN RAISE EXCEPTION 'cancelled' USING ERRCODE = '57014'; END IF; RETURN NEW; END $$;
        CREATE TRIGGER cancel BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_cancel()`),
    );
    const settled = await Promise.allSettled(['a', 'b', 'c'].map((id) => store.put(sampleSnek(id, { name: id === 'b' ? 'cancel' : id }))));
    expect(settled.map((result) => (result.status === 'rejected' ? (result.reason as { code?: string }).code : 'fulfilled'))).toEqual(['STORE_UNAVAILABLE', 'STORE_UNAVAILABLE', 'STORE_UNAVAILABLE']);
    expect((await store.list()).items).toEqual([]);
  });
});
