import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import type { Change } from '@snek/core';
import { sampleSnek } from '@snek/store-testkit';
import plugin, { PostgresSnekStore } from '../src/index.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { dropSchemas, uniqueSchema, withClient } from './helpers/test-schemas.js';

// Two servers on one schema, each with its own pool, writing at once while each tails the log: a tail that reads
// "after the last seq it saw" must see every seq, in order, none skipped.
const available = await pgAvailable();
const schema = uniqueSchema('order');
const open: PostgresSnekStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  if (available) await dropSchemas([schema]);
});

const WRITERS_PER_STORE = 8;
const WRITES_PER_WRITER = 25;
const IDS = ['slow-a', 'slow-b', 'c', 'd', 'e', 'f', 'g', 'h'];

async function create(): Promise<PostgresSnekStore> {
  const store = (await plugin.create({ url: TEST_PG_URL, schema, pool: { max: WRITERS_PER_STORE + 1 } }, { configDir: process.cwd(), history: { keep: 1_000_000 } })) as PostgresSnekStore;
  open.push(store);
  return store;
}

/** One writer's loop; resolves how many of its writes wrote (and so logged) something. */
async function write(store: PostgresSnekStore, writer: string): Promise<number> {
  let logged = 0;
  for (let n = 0; n < WRITES_PER_WRITER; n++) {
    const id = IDS[(n * 3 + writer.length + Number(writer.at(-1))) % IDS.length]!;
    if (n % 7 === 6) logged += (await store.delete(id)) ? 1 : 0;
    else if (n % 5 === 4) logged += (await store.putIf(sampleSnek(id, { content: `${writer} ${n}` }), null)).ok ? 1 : 0;
    else {
      await store.put(sampleSnek(id, { content: `${writer} ${n}` }));
      logged++;
    }
  }
  return logged;
}

/** Reads "after the last seq seen" until `done` and the log has nothing more; records every seq that is not last + 1. */
async function tail(store: PostgresSnekStore, done: () => boolean): Promise<{ seen: Change[]; skipped: string[] }> {
  const seen: Change[] = [];
  const skipped: string[] = [];
  for (;;) {
    const finished = done();
    const page = await store.changes({ after: seen.at(-1)?.seq ?? 0, limit: 50 });
    for (const change of page) {
      const expected = (seen.at(-1)?.seq ?? 0) + 1;
      if (change.seq !== expected) skipped.push(`expected seq ${expected}, read ${change.seq}`);
      seen.push(change);
    }
    if (finished && page.length === 0) return { seen, skipped };
    if (page.length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

(available ? describe : describe.skip)('seq in commit order across two postgres stores', () => {
  it('every tail sees every seq in order, none skipped, while two pools write at once and some commits are slow', async () => {
    const [one, two] = await Promise.all([create(), create()]);
    // A change of a slow-* snek holds its transaction open after taking its seq, as a slow commit would: with a
    // sequence, later seqs would commit first, and a tail past them would never read this one.
    await withClient((client) =>
      client.query(`CREATE FUNCTION "${schema}".slow_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.02); RETURN NEW; END $$;
        CREATE TRIGGER slow_change AFTER INSERT ON "${schema}".changes FOR EACH ROW WHEN (NEW.id LIKE 'slow-%') EXECUTE FUNCTION "${schema}".slow_change()`),
    );
    let writing = true;
    const tails = [tail(one!, () => !writing), tail(two!, () => !writing)];
    const writers = [one!, two!].flatMap((store, s) => Array.from({ length: WRITERS_PER_STORE }, (_, w) => write(store, `store${s} writer${w}`)));
    const logged = (await Promise.all(writers)).reduce((sum, count) => sum + count, 0);
    writing = false;
    const [first, second] = await Promise.all(tails);
    expect(first!.skipped).toEqual([]);
    expect(second!.skipped).toEqual([]);
    expect(first!.seen).toHaveLength(logged);
    expect(second!.seen).toEqual(first!.seen);
    // The tails saw the same log the store holds, ending in what the table holds.
    const log: Change[] = [];
    for (let page = await one!.changes({ limit: 1000 }); page.length > 0; page = await one!.changes({ after: log.at(-1)!.seq, limit: 1000 })) log.push(...page);
    expect(log).toEqual(first!.seen);
    for (const change of await two!.latestChanges(IDS)) expect(await one!.get(change.id)).toEqual(change.snek);
    expect(logged).toBeGreaterThan(WRITERS_PER_STORE * WRITES_PER_WRITER);
  });
});
