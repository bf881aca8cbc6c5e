import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { TEST_PG_URL, pgAvailable } from '../../store-postgres/test/helpers/pg-available.js';
import { dropSchemas, uniqueSchema } from '../../store-postgres/test/helpers/test-schemas.js';
import { acknowledged, getSnek, missingFrom, putSnek, startReplicas, writeDeployingSnekrc, writeStorm, type Outcome } from './helpers/pg-replicas.js';
import { killAllServers, type ServerProcess } from './helpers/server-process.js';

// Three real snek-server processes on one PostgreSQL schema (the shared test database, a fresh schema dropped
// after), configured by the .snekrc of docs/deploying.md: nothing in a server may hold state that lets replicas disagree.
const available = await pgAvailable();
const describePg = available ? describe : describe.skip;

let dir: TempDir;
let schema: string;
let replicas: ServerProcess[] = [];

beforeAll(async () => {
  if (!available) return;
  dir = await tempDir('snek-pg-replicas-');
  schema = uniqueSchema('replicas');
  // The .snekrc of docs/deploying.md, so the guide's example is the one these replicas run.
  await writeDeployingSnekrc(dir.path, schema);
  replicas = await startReplicas(dir.path, TEST_PG_URL, 3);
}, 60_000);

afterAll(async () => {
  killAllServers();
  if (!available) return;
  await dropSchemas([schema]);
  await dir.cleanup();
});

async function listAll(base: string, type: string): Promise<string> {
  const items: unknown[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ type, limit: '500', ...(cursor ? { cursor } : {}) });
    const page = (await (await fetch(`${base}/v1/sneks?${query}`)).json()) as { items: unknown[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return JSON.stringify(items);
}

describePg('3 snek-server replicas on one PostgreSQL', () => {
  it('serves every acknowledged PUT from every replica at once, with one ETag, to 32 clients', async () => {
    const stale: string[] = [];
    const etags = new Set<string>();
    await Promise.all(
      Array.from({ length: 32 }, async (_, client) => {
        for (let k = 0; k < 6; k++) {
          const id = `fresh-${client}-${k}`;
          const content = `client ${client} write ${k}\n`;
          const via = replicas[(client + k) % 3]!;
          expect([id, await putSnek(via.url, id, { name: id, type: 'fresh', content })]).toEqual([id, 201]);
          // Right after the acknowledgement, every replica must already serve it: a new id is in no replica's cache.
          const seen = await Promise.all(replicas.map((replica) => getSnek(replica.url, id)));
          for (const [r, read] of seen.entries()) if (read.snek?.content !== content) stale.push(`${id} from replica ${r}: ${read.status}`);
          const tags = new Set(seen.map((read) => read.etag));
          if (tags.size !== 1) stale.push(`${id}: ETags differ ${[...tags].join(' ')}`);
          etags.add(seen[0]!.etag!);
        }
      }),
    );
    expect(stale).toEqual([]);
    expect(etags.size).toBe(32 * 6);
    const lists = await Promise.all(replicas.map((replica) => listAll(replica.url, 'fresh')));
    expect(JSON.parse(lists[0]!)).toHaveLength(32 * 6);
    expect(new Set(lists).size).toBe(1);
    const types = await Promise.all(replicas.map(async (replica) => (await fetch(`${replica.url}/v1/types`)).text()));
    expect(new Set(types).size).toBe(1);
  });

  it('leaves one complete snek when same-id PUTs race through different replicas, never mixed fields', async () => {
    const variant = (round: number, r: number) => ({ name: `name ${r}`, type: `race-${r}`, content: `art of replica ${r}, round ${round}\n`.repeat(r + 1) });
    const mixed: string[] = [];
    for (let round = 0; round < 25; round++) {
      const id = `race-${round}`;
      const statuses = await Promise.all(replicas.map((replica, r) => putSnek(replica.url, id, variant(round, r))));
      expect(statuses.every((status) => status === 200 || status === 201)).toBe(true);
      // A replica's read cache may lag the others' writes by server.cache.maxStaleMs (1 s): they agree by then.
      const readAll = () => Promise.all(replicas.map((replica) => getSnek(replica.url, id)));
      let reads = await readAll();
      for (const deadline = Date.now() + 5_000; new Set(reads.map((read) => read.etag)).size > 1 && Date.now() < deadline; ) reads = await readAll();
      // The snek's own fields: its answer carries updatedAt and updatedBy besides.
      const seen = new Set(reads.map((read) => JSON.stringify(read.snek && { id: read.snek.id, name: read.snek.name, type: read.snek.type, content: read.snek.content })));
      const whole = [0, 1, 2].map((r) => JSON.stringify({ id, ...variant(round, r) }));
      if (seen.size !== 1 || !whole.includes([...seen][0]!)) mixed.push(`${id}: ${[...seen].join(' | ')}`);
      expect(new Set(reads.map((read) => read.etag)).size).toBe(1);
    }
    expect(mixed).toEqual([]);
  });

  // Last: it leaves two replicas.
  it('keeps serving on the others when one replica is killed with kill -9 mid-storm, losing no acknowledged write', async () => {
    let killed = false;
    let killedAt = 0;
    const outcomes: Outcome[] = await writeStorm({
      replicas,
      clients: 32,
      perClient: 12,
      prefix: 'storm',
      onOutcome: (_, all) => {
        if (!killed && acknowledged(all).length >= 96) {
          killed = true;
          killedAt = all.length;
          replicas[2]!.child.kill('SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    const ok = acknowledged(outcomes);
    // Once the 32 writes in flight at the kill have settled, the two others take writes and the dead one none.
    const afterKill = outcomes.slice(killedAt + 32);
    expect(acknowledged(afterKill.filter((o) => o.replica !== 2)).length).toBeGreaterThan(0);
    expect(afterKill.filter((o) => o.replica === 2).every((o) => o.status === 0)).toBe(true);
    for (const survivor of replicas.slice(0, 2)) expect(await missingFrom(survivor.url, ok)).toEqual([]);
    for (const survivor of replicas.slice(0, 2)) expect((await fetch(`${survivor.url}/readyz`)).status).toBe(200);
  });
});
