import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { TEST_PG_URL, pgAvailable } from '../../store-postgres/test/helpers/pg-available.js';
import { dropSchemas, uniqueSchema } from '../../store-postgres/test/helpers/test-schemas.js';
import { REPLICA_TOKEN, startReplicas, writePgSnekrc } from './helpers/pg-replicas.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from './helpers/server-process.js';

// Conditional writes racing through several real snek-server processes on one storage: the check and the write must
// be one atomic step in the store itself, since no server's own lock reaches the others.
const CLIENTS = 9;
const TURNS = 5;
const available = await pgAvailable();

interface Attempt {
  from: string;
  status: number;
  etag: string | null;
  body: { name: string; type: string; content: string };
}

async function write(base: string, method: 'PUT' | 'DELETE', id: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${base}/v1/sneks/${id}`, {
    method,
    headers: { authorization: `Bearer ${REPLICA_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, etag: response.headers.get('etag'), json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function read(base: string, id: string) {
  const response = await fetch(`${base}/v1/sneks/${id}`);
  return { status: response.status, etag: response.headers.get('etag'), snek: response.status === 200 ? ((await response.json()) as Record<string, string>) : undefined };
}

/** The races every shared storage must pass, through `servers` (each client sticks to one, round-robin). */
function racesThrough(servers: () => ServerProcess[], prefix: string): void {
  it(`${CLIENTS} clients create one new id with If-None-Match: * through every server: exactly one 201, the rest 412`, async () => {
    const id = `${prefix}-created`;
    const answers = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => write(servers()[c % servers().length]!.url, 'PUT', id, { 'if-none-match': '*' }, { name: `Creator ${c}`, type: prefix, content: `by ${c}\n` })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 412)).toHaveLength(CLIENTS - 1);
  }, 60_000);

  it(`${CLIENTS} clients PUT one id with the same If-Match through every server: exactly one 200; of the DELETEs one 204, the rest 404`, async () => {
    const id = `${prefix}-same`;
    const base = await write(servers()[0]!.url, 'PUT', id, {}, { name: 'Base', type: prefix, content: 'base\n' });
    const answers = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => write(servers()[c % servers().length]!.url, 'PUT', id, { 'if-match': base.etag! }, { name: `Racer ${c}`, type: prefix, content: `${c}\n`.repeat(1 + c * 300) })));
    const won = answers.flatMap((a, c) => (a.status === 200 ? [c] : []));
    expect(won).toHaveLength(1);
    expect(answers.filter((a) => a.status === 412)).toHaveLength(CLIENTS - 1);
    for (const server of servers()) expect((await read(server.url, id)).snek).toMatchObject({ id, name: `Racer ${won[0]}`, type: prefix, content: `${won[0]}\n`.repeat(1 + won[0]! * 300) });
    const deletes = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => write(servers()[c % servers().length]!.url, 'DELETE', id, { 'if-match': answers[won[0]!]!.etag! })));
    // One DELETE wins; the snek is then gone, and a DELETE of nothing is 404 whatever its If-Match (RFC 9110 §13.2.1).
    expect(deletes.map((a) => a.status).sort()).toEqual([204, ...Array.from({ length: CLIENTS - 1 }, () => 404)]);
  }, 60_000);

  it(`${CLIENTS} clients × ${TURNS} read-then-PUT with If-Match: exactly one success per ETag they started from, and the final snek is the last winner's body whole`, async () => {
    const id = `${prefix}-chain`;
    await write(servers()[0]!.url, 'PUT', id, {}, { name: 'Start', type: prefix, content: 'start\n' });
    const attempts: Attempt[] = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const base = servers()[c % servers().length]!.url;
        for (let turn = 0; turn < TURNS; turn++) {
          const { etag } = await read(base, id);
          const body = { name: `Client ${c}`, type: prefix, content: `client ${c} turn ${turn}\n${'~'.repeat(c * 50 + turn)}<\n` };
          const answer = await write(base, 'PUT', id, { 'if-match': etag! }, body);
          attempts.push({ from: etag!, status: answer.status, etag: answer.etag, body });
        }
      }),
    );
    expect(attempts.filter((a) => a.status !== 200 && a.status !== 412)).toEqual([]);
    const wins = attempts.filter((a) => a.status === 200);
    const starts = new Set(attempts.map((a) => a.from));
    // Every ETag someone started from was left by exactly one winner among those who started from it.
    for (const from of starts) expect({ from, wins: wins.filter((a) => a.from === from).length }).toEqual({ from, wins: 1 });
    // The winners form one chain: each started from the ETag the one before it made; the last is what is stored.
    const next = new Map(wins.map((a) => [a.from, a]));
    const tips = wins.filter((a) => !next.has(a.etag!));
    expect(tips).toHaveLength(1);
    // Each server's read cache may lag the others' last write by server.cache.maxStaleMs (1 s): it shows it by then.
    for (const server of servers()) {
      let final = await read(server.url, id);
      for (const deadline = Date.now() + 5_000; final.etag !== tips[0]!.etag && Date.now() < deadline; ) final = await read(server.url, id);
      expect([final.etag, final.snek]).toMatchObject([tips[0]!.etag, { id, ...tips[0]!.body }]);
    }
  }, 120_000);
}

describe('conditional writes through two snek-servers on one SQLite file', () => {
  let dir: TempDir;
  let servers: ServerProcess[] = [];
  beforeAll(async () => {
    dir = await tempDir('snek-conditional-sqlite-');
    await dir.write('.snekrc', 'server:\n  store: { use: sqlite, options: { file: data/sneks.db } }\n');
    const env = cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: REPLICA_TOKEN });
    servers = await Promise.all([0, 1].map(() => startServerProcess({ cwd: dir.path, env })));
  }, 60_000);
  afterAll(async () => {
    killAllServers();
    await dir.cleanup();
  });
  racesThrough(() => servers, 'sqlite');
});

(available ? describe : describe.skip)(`conditional writes through three snek-server replicas on one PostgreSQL${available ? '' : ' (skipped: no PostgreSQL reachable)'}`, () => {
  let dir: TempDir;
  let schema: string;
  let replicas: ServerProcess[] = [];
  beforeAll(async () => {
    dir = await tempDir('snek-conditional-pg-');
    schema = uniqueSchema('conditional');
    await writePgSnekrc(dir.path, { url: TEST_PG_URL, schema });
    replicas = await startReplicas(dir.path, TEST_PG_URL, 3);
  }, 60_000);
  afterAll(async () => {
    killAllServers();
    await dir.cleanup();
    await dropSchemas([schema]);
  });
  racesThrough(() => replicas, 'pg');
});
