import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { allChanges, allRevisions, logDisagreements, outOfOrder, type LoggedChange } from './helpers/change-log.js';
import { readChangeStream, type ChangeStreamReader } from './helpers/change-stream-reader.js';
import { createPgCluster, skipWithoutPgCluster, type PgCluster } from './helpers/pg-cluster.js';
import { REPLICA_TOKEN, deleteSnek, eventually, getSnek, pgServerEnv, putSnek, startReplicas, writePgSnekrc } from './helpers/pg-replicas.js';
import { killAllServers, startServerProcess, type ServerProcess } from './helpers/server-process.js';

// The change log across 3 snek-server replicas on one PostgreSQL, through a kill -9 of a replica and a restart of
// PostgreSQL itself: a throwaway cluster of this file's own (initdb + pg_ctl), never the machine's shared server.
const skip = skipWithoutPgCluster();
const describeCluster = skip ? describe.skip : describe;

let dir: TempDir;
let cluster: PgCluster;
let replicas: ServerProcess[] = [];
const readers: ChangeStreamReader[] = [];

beforeAll(async () => {
  if (skip) return;
  dir = await tempDir('snek-pg-changes-');
  cluster = await createPgCluster();
  await writePgSnekrc(dir.path, { url: cluster.url, schema: 'changes', timeouts: 2 });
  replicas = await startReplicas(dir.path, cluster.url, 3);
}, 120_000);
afterAll(async () => {
  for (const reader of readers) reader.close();
  killAllServers();
  await cluster?.destroy();
  await dir?.cleanup();
}, 60_000);

interface Write {
  op: 'put' | 'delete';
  id: string;
  /** The content of a put. */
  content?: string;
  /** The HTTP status, 0 when no answer came. */
  status: number;
}

const acked = (write: Write) => (write.op === 'put' ? write.status === 200 || write.status === 201 : write.status === 204);

/** What a reader of the stream sees of an actor: the contract's public view. */
const publicView = (actor: LoggedChange['actor']) => (actor ? { kind: actor.kind, name: actor.name ?? actor.id } : null);

const readyz = async (base: string) => {
  const response = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
  await response?.arrayBuffer();
  return response?.status ?? 0;
};

describeCluster('the change log across 3 replicas, a kill -9 of one, and a PostgreSQL restart', () => {
  it('gives every SSE client every change exactly once, in seq order, and the log every acknowledged write', async () => {
    // Reader i listens to replica i; while replica i is down it resumes on the next one, with Last-Event-ID.
    const down = new Set<number>();
    for (let i = 0; i < 3; i++) readers.push(readChangeStream({ target: () => replicas[down.has(i) ? (i + 1) % 3 : i]!.url, after: 0, reconnectMs: 200 }));
    expect(await eventually(async () => readers.every((reader) => reader.connections() === 1), 20_000)).toBe(true);

    // Six writers through all three replicas, on three ids each: puts, and every fourth write a delete.
    const writes: Write[] = [];
    let stop = false;
    const writers = Array.from({ length: 6 }, async (_, c) => {
      for (let k = 0; !stop; k++) {
        const id = `live-${c}-${k % 3}`;
        const via = replicas[(c + k) % 3]!.url;
        const write: Write =
          k % 4 === 3 ? { op: 'delete', id, status: await deleteSnek(via, id) } : { op: 'put', id, content: `${id} v${k}\n`, status: await putSnek(via, id, { name: id, type: 'live', content: `${id} v${k}\n` }) };
        writes.push(write);
        // A dead replica or PostgreSQL answers at once; a pause keeps the loop from spinning.
        if (!acked(write) && write.status !== 404) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    const ackedCount = () => writes.filter(acked).length;
    const moreAcks = async (n: number) => {
      const target = ackedCount() + n;
      expect(await eventually(async () => ackedCount() >= target, 60_000)).toBe(true);
    };

    await moreAcks(40);
    // (a) kill -9 of replica 2 mid-stream: its reader resumes on replica 0 while writes go on.
    down.add(2);
    replicas[2]!.child.kill('SIGKILL');
    await moreAcks(40);
    replicas[2] = await startServerProcess({ cwd: dir.path, env: pgServerEnv(dir.path, cluster.url) });
    down.delete(2);
    // Back to the restarted replica, resuming there from the last event it got on replica 0.
    readers[2]!.reconnect();
    await moreAcks(40);

    // (b) PostgreSQL killed (as in a crash) and started again, under the same replica processes.
    await cluster.kill();
    expect(await eventually(async () => (await Promise.all(replicas.map((replica) => readyz(replica.url)))).every((status) => status === 503), 30_000)).toBe(true);
    // Reader 0 resumes while the log cannot be read: its stream cannot send its backlog, so it retries until it can.
    readers[0]!.reconnect();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await cluster.start();
    expect(await eventually(async () => (await Promise.all(replicas.map((replica) => readyz(replica.url)))).every((status) => status === 200), 30_000)).toBe(true);
    await moreAcks(40);
    stop = true;
    await Promise.all(writers);

    const log = await allChanges(replicas[0]!.url, REPLICA_TOKEN);
    expect(outOfOrder(log.map((change) => change.seq))).toEqual([]);
    const last = log.at(-1)!.seq;
    // Every reader catches up with the whole log; the bound is a hang guard, not a timing.
    const caughtUp = await eventually(async () => readers.every((reader) => reader.lastSeq() === last), 30_000);
    expect(readers.map((reader) => reader.lastSeq())).toEqual([last, last, last]);
    expect(caughtUp).toBe(true);

    const bySeq = new Map(log.map((change) => [change.seq, change]));
    for (const [i, reader] of readers.entries()) {
      const seqs = reader.received().map((event) => event.change.seq);
      // Exactly once and in order: strictly increasing, and every seq of the log (the readers began at after=0).
      expect([i, outOfOrder(seqs)]).toEqual([i, []]);
      expect([i, seqs]).toEqual([i, log.map((change) => change.seq)]);
      const differing = reader.received().filter(({ eventId, change }) => {
        const logged = bySeq.get(change.seq)!;
        return eventId !== String(change.seq) || JSON.stringify([change.id, change.op, change.snek, change.at, change.by]) !== JSON.stringify([logged.id, logged.op, logged.snek, logged.at, publicView(logged.actor)]);
      });
      expect([i, differing]).toEqual([i, []]);
    }
    // Reader 2 got changes on its first connection, on replica 0 while replica 2 was dead, and on the restarted one.
    expect(new Set(readers[2]!.received().map((event) => event.connection)).size).toBeGreaterThanOrEqual(3);
    expect(readers[0]!.connections()).toBeGreaterThanOrEqual(2);

    // No acknowledged write is missing from the log, and the log holds no write nobody tried.
    const logged = log.filter((change) => change.id.startsWith('live-'));
    const putsLogged = new Set(logged.filter((change) => change.op === 'put').map((change) => `${change.id}\n${change.snek?.content}`));
    const putsTried = new Set(writes.filter((write) => write.op === 'put').map((write) => `${write.id}\n${write.content}`));
    expect(writes.filter((write) => write.op === 'put' && acked(write) && !putsLogged.has(`${write.id}\n${write.content}`))).toEqual([]);
    expect([...putsLogged].filter((put) => !putsTried.has(put))).toEqual([]);
    const ids = [...new Set(writes.map((write) => write.id))];
    for (const id of ids) {
      const deletes = logged.filter((change) => change.id === id && change.op === 'delete').length;
      expect([id, writes.filter((write) => write.id === id && write.op === 'delete' && acked(write)).length <= deletes]).toEqual([id, true]);
    }
    expect(writes.filter((write) => write.op === 'delete' && acked(write)).length).toBeGreaterThan(0);
    expect(writes.filter((write) => !acked(write) && write.status !== 404).length).toBeGreaterThan(0);

    // The log and the sneks agree on every replica (each replica's read cache included), and history is complete.
    for (const replica of replicas) {
      const served = new Map<string, string>();
      for (const id of ids) {
        const read = await getSnek(replica.url, id);
        if (read.snek) served.set(id, read.snek.content);
        else expect([id, read.status]).toEqual([id, 404]);
      }
      expect(logDisagreements(log, served, (id) => id.startsWith('live-'))).toEqual([]);
    }
    for (const [n, id] of ids.entries()) {
      const revisions = await allRevisions(replicas[n % 3]!.url, id);
      const expected = logged.filter((change) => change.id === id).reverse();
      expect([id, revisions.map((revision) => [revision.seq, revision.op, revision.snek?.content])]).toEqual([id, expected.map((change) => [change.seq, change.op, change.snek?.content])]);
    }
    process.stderr.write(`pg-changes: ${log.length} changes, ${writes.filter(acked).length} of ${writes.length} writes acknowledged, reader connections ${readers.map((reader) => reader.connections()).join('/')}\n`);
  }, 180_000);
});
