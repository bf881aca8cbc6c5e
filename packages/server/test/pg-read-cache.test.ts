import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { TEST_PG_URL, pgAvailable } from '../../store-postgres/test/helpers/pg-available.js';
import { dropSchemas, uniqueSchema, withClient } from '../../store-postgres/test/helpers/test-schemas.js';
import { REPLICA_TOKEN, startReplicas, writePgSnekrc } from './helpers/pg-replicas.js';
import { killAllServers, type ServerProcess } from './helpers/server-process.js';
import { staleReads } from './helpers/stale-reads.js';

// Two replicas on one PostgreSQL. Each replica's change feed LISTENs on a connection of its own; when that backend
// is killed (pg_terminate_backend), a notification sent before it listens again is lost. The cache must still never
// serve a read staler than server.cache.maxStaleMs: the tail polls the log besides, and catches up after a reconnect.
const MAX_STALE_MS = 1000;
const available = await pgAvailable();
const schema = uniqueSchema('readcache');
const { put, changeSeenWithinBound } = staleReads({ token: REPLICA_TOKEN, maxStaleMs: MAX_STALE_MS });

let dir: TempDir;
let a: ServerProcess;
let b: ServerProcess;
beforeAll(async () => {
  if (!available) return;
  dir = await tempDir('snek-pg-read-cache-');
  await writePgSnekrc(dir.path, { url: TEST_PG_URL, schema });
  [a, b] = (await startReplicas(dir.path, TEST_PG_URL, 2)) as [ServerProcess, ServerProcess];
}, 60_000);
afterAll(async () => {
  killAllServers();
  await dir?.cleanup();
  if (available) await dropSchemas([schema]);
});

/** Terminates the backends that LISTEN for this schema's changes: every replica's feed. */
function killListeners(): Promise<number> {
  return withClient(async (client) => (await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN %'", [`snek ${schema}`])).rowCount ?? 0);
}

(available ? describe : describe.skip)('the read cache, with two replicas on one PostgreSQL', () => {
  it("shows a change made through the other replica within the bound, while the listeners' backends are killed", async () => {
    await put(a, 'pg-shared', 'v0\n');
    let killed = 0;
    for (let round = 1; round <= 6; round++) {
      await changeSeenWithinBound(a, 'pg-shared', `v${round - 1}\n`, `v${round}\n`, async () => {
        // Killed just before the write: its notification goes to no one, or to a listener that just came back.
        // A feed may still be reconnecting from the round before: count the kills over all rounds.
        killed += await killListeners();
        await put(b, 'pg-shared', `v${round}\n`);
      });
    }
    expect(killed).toBeGreaterThan(0);
  });
});
