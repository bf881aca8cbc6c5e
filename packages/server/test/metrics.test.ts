import { rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './helpers/in-process.js';
import { rawRequest } from './helpers/raw-http.js';
import { hasPromtool, metricTypes, promtool, promtoolMissing, promtoolRequired, valueOf } from './helpers/metrics-text.js';
import { TEST_PG_URL } from '../../store-postgres/test/helpers/pg-available.js';
import { withClient } from '../../store-postgres/test/helpers/test-schemas.js';
import { BUILT_IN_STORES, POSTGRES_TEST_SCHEMA, dropBuiltInStoreData } from './helpers/store-configs.js';
import { sha256 } from './helpers/token-config.js';

// GET /metrics on real servers: off unless server.metrics, the admin scope or an allowed address, series that move.
const READER = 'metrics-reader-token';
const tokens = `  auth:\n    tokens:\n      - { name: reader, sha256: ${sha256(READER)}, scopes: [read] }\n`;
const servers: TestServer[] = [];
afterAll(async () => {
  for (const server of servers.splice(0)) await server.stop();
  await dropBuiltInStoreData();
});

type DirServer = TestServer & { dir: string };

async function serverWith(snekrc: string, env: NodeJS.ProcessEnv = {}): Promise<DirServer> {
  const server = await startTestServer({ snekrc, env });
  servers.push(server);
  return server;
}

/** The scrape's text; fails unless it is 200 in the text format. */
async function scrape(server: TestServer, token: string | null = ADMIN_TOKEN): Promise<string> {
  const response = await fetch(`${server.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  expect([response.status, response.headers.get('content-type')]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8']);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return text;
}

async function expectProblem(response: Response, status: number, code: string): Promise<void> {
  expect([response.status, response.headers.get('content-type'), ((await response.json()) as { code: string }).code]).toEqual([status, 'application/problem+json; charset=utf-8', code]);
}

const requestsOf = (text: string, labels: Record<string, string>) => valueOf(text, 'snek_http_request_duration_seconds_count', labels) ?? 0;

describe('GET /metrics when server.metrics is absent', () => {
  it('is a 404 problem, to the admin too', async () => {
    const server = await serverWith(BUILT_IN_STORES.memory);
    await expectProblem(await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('GET /metrics on a sqlite server with server.metrics: true', () => {
  let server: DirServer;
  it('answers 401 without a token and 403 to a token without admin, both problem+json; the admin scope reads it', async () => {
    server = await serverWith(`${BUILT_IN_STORES.sqlite}  metrics: true\n  maxConnections: 4\n${tokens}`);
    const anonymous = await fetch(`${server.url}/metrics`);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="snek"');
    await expectProblem(anonymous, 401, 'UNAUTHORIZED');
    await expectProblem(await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${READER}` } }), 403, 'FORBIDDEN');
    await expectProblem(await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer not-a-token' } }), 401, 'UNAUTHORIZED');
    expect(await scrape(server)).toContain('# TYPE snek_http_request_duration_seconds histogram');
  });

  it('has every series, of the right type, and process metrics', async () => {
    const types = metricTypes(await scrape(server));
    expect(Object.fromEntries(['snek_http_request_duration_seconds', 'snek_store_operation_duration_seconds', 'snek_store_errors_total', 'snek_http_open_connections', 'snek_http_connections_refused_total', 'snek_change_tail_lag_seconds', 'snek_change_tail_last_seq', 'process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes'].map((name) => [name, types.get(name)]))).toEqual({
      snek_http_request_duration_seconds: 'histogram',
      snek_store_operation_duration_seconds: 'histogram',
      snek_store_errors_total: 'counter',
      snek_http_open_connections: 'gauge',
      snek_http_connections_refused_total: 'counter',
      snek_change_tail_lag_seconds: 'gauge',
      snek_change_tail_last_seq: 'gauge',
      process_cpu_user_seconds_total: 'counter',
      process_resident_memory_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
    });
    // sqlite has no pool of its own.
    expect(types.has('snek_store_pool_connections')).toBe(false);
  });

  it('counts requests by route template, method and status, and store calls by operation; unmatched paths are one label', async () => {
    const before = await scrape(server);
    for (const id of ['cute', 'cute', 'nope-1', 'nope-2']) await fetch(`${server.url}/v1/sneks/${id}`);
    // Three pages that differ: a page asked for again is answered from the server's cache of answers, not the store.
    for (let i = 1; i <= 3; i++) await fetch(`${server.url}/v1/sneks?limit=${i}`);
    await fetch(`${server.url}/nowhere/${'x'.repeat(30)}`);
    const after = await scrape(server);
    const grew = (labels: Record<string, string>) => requestsOf(after, labels) - requestsOf(before, labels);
    expect({
      found: grew({ method: 'GET', route: '/v1/sneks/:id', status: '200' }),
      missing: grew({ method: 'GET', route: '/v1/sneks/:id', status: '404' }),
      list: grew({ method: 'GET', route: '/v1/sneks', status: '200' }),
      unmatched: grew({ method: 'GET', route: '(unmatched)', status: '404' }),
    }).toEqual({ found: 2, missing: 2, list: 3, unmatched: 1 });
    expect(after).not.toContain('/v1/sneks/cute');
    expect(after).not.toContain('/nowhere');
    // A page is one browse() of the store (the sqlite store sorts by keyset itself).
    const lists = (text: string) => valueOf(text, 'snek_store_operation_duration_seconds_count', { operation: 'browse', store: 'sqlite' }) ?? 0;
    expect(lists(after) - lists(before)).toBeGreaterThanOrEqual(3);
    // The scrape before this one was itself a request, seen by this one.
    expect(requestsOf(after, { method: 'GET', route: '/metrics', status: '200' })).toBeGreaterThanOrEqual(3);
  });

  it("follows the change tail: its last seq rises after a write, and its lag is a number of seconds", async () => {
    const seqBefore = valueOf(await scrape(server), 'snek_change_tail_last_seq')!;
    expect((await fetch(`${server.url}/v1/sneks/tail-check`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'tail check', type: 'metrics', content: '~~>\n' }) })).status).toBe(201);
    let text = '';
    for (let i = 0; i < 100 && !(valueOf(text, 'snek_change_tail_last_seq')! > seqBefore); i++) {
      if (i) await new Promise((resolve) => setTimeout(resolve, 50));
      text = await scrape(server);
    }
    expect(valueOf(text, 'snek_change_tail_last_seq')).toBeGreaterThan(seqBefore);
    const lag = valueOf(text, 'snek_change_tail_lag_seconds')!;
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(Infinity);
  });

  it('counts open connections and those the cap refuses', async () => {
    // A server of its own, scraped over connections that close: no kept-alive connection of fetch() holds a place.
    const capped = await serverWith(`${BUILT_IN_STORES.memory}  metrics: true\n  maxConnections: 4\n`);
    const held: Socket[] = [];
    try {
      // The cap is 4: these take every place, and the fifth is refused.
      for (let i = 0; i < 4; i++) held.push(await opened(capped.url));
      const refused = await opened(capped.url);
      await new Promise((resolve) => refused.once('close', resolve).resume());
      const { text, refusedScrapes } = await scrapeOnceFree(capped, held);
      expect(valueOf(text, 'snek_http_connections_refused_total')).toBe(1 + refusedScrapes);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  it('counts a store failure by operation and code, and still answers', async () => {
    await rm(path.join(server.dir, 'data'), { recursive: true, force: true });
    await expectProblem(await fetch(`${server.url}/v1/sneks?limit=1`), 503, 'STORE_UNAVAILABLE');
    const text = await scrape(server);
    expect(valueOf(text, 'snek_store_errors_total', { operation: 'browse', store: 'sqlite', code: 'STORE_UNAVAILABLE' })).toBeGreaterThanOrEqual(1);
    expect(requestsOf(text, { method: 'GET', route: '/v1/sneks', status: '503' })).toBe(1);
  });
});

function opened(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket)).once('error', reject);
  });
}

/** Frees one held connection (the cap is full), then scrapes, and checks the gauge saw the held ones open. */
async function scrapeOnceFree(server: TestServer, held: Socket[]): Promise<{ text: string; refusedScrapes: number }> {
  const one = held.pop()!;
  await new Promise((resolve) => one.once('close', resolve).destroy());
  // The server sees the close a moment after the client: until then the scrape is refused too.
  for (let i = 0; i < 100; i++) {
    const response = await rawRequest(server.url, { method: 'GET', path: '/metrics', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const text = response.body;
    if (response.status === 200) {
      // Three held, and the scrape's own.
      expect(valueOf(text, 'snek_http_open_connections')).toBe(held.length + 1);
      return { text, refusedScrapes: i };
    }
    expect(response.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the server refused every scrape after a connection closed');
}

describe('server.metrics.allow', () => {
  const allowNet = `${BUILT_IN_STORES.memory}  metrics: { allow: [10.0.0.0/8, "fd00::/8"] }\n`;

  it('lets a listed address in without a token (127.0.0.1 as itself, and inside 127.0.0.0/8)', async () => {
    for (const allow of ['127.0.0.1', '127.0.0.0/8', '"::ffff:127.0.0.1"']) {
      const server = await serverWith(`${BUILT_IN_STORES.memory}  metrics: { allow: [${allow}] }\n`);
      expect([allow, (await fetch(`${server.url}/metrics`)).status]).toEqual([allow, 200]);
    }
  });

  it('without server.trustProxy, ignores X-Forwarded-For: a forwarded listed address still needs admin', async () => {
    const server = await serverWith(allowNet);
    await expectProblem(await fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '10.1.2.3' } }), 401, 'UNAUTHORIZED');
    expect((await fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '10.1.2.3', authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
  });

  it("with server.trustProxy, believes the proxy's address for the client (the last of X-Forwarded-For), not one the client prepends", async () => {
    const server = await serverWith(`${allowNet}  trustProxy: true\n`);
    expect((await fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '10.1.2.3' } })).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '192.0.2.7, fd00::1' } })).status).toBe(200);
    await expectProblem(await fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '10.1.2.3, 192.0.2.7' } }), 401, 'UNAUTHORIZED');
    await expectProblem(await fetch(`${server.url}/metrics`), 401, 'UNAUTHORIZED');
  });

  it('refuses a config entry that is not an address or a network, naming it', async () => {
    await expect(serverWith(`${BUILT_IN_STORES.memory}  metrics: { allow: [10.0.0.0/33] }\n`)).rejects.toThrow(/server\.metrics\.allow\.0: not an IP address or a network/);
  });
});

describe('two servers in one process', () => {
  it('count apart: each registry sees its own requests alone', async () => {
    const [one, two] = [await serverWith(`${BUILT_IN_STORES.memory}  metrics: true\n`), await serverWith(`${BUILT_IN_STORES.memory}  metrics: true\n`)];
    for (let i = 0; i < 5; i++) await fetch(`${one.url}/v1/types`);
    expect([requestsOf(await scrape(one), { route: '/v1/types' }), requestsOf(await scrape(two), { route: '/v1/types' })]).toEqual([5, 0]);
  });
});

(BUILT_IN_STORES.postgres ? describe : describe.skip)('a postgres server (skipped when PostgreSQL is not reachable)', () => {
  it("shows the store's pool: open, idle, waiting and max, which move with use", async () => {
    const server = await serverWith(`${BUILT_IN_STORES.postgres!}  metrics: true\n`);
    await Promise.all(Array.from({ length: 8 }, (_, i) => fetch(`${server.url}/v1/sneks?limit=${i + 1}`)));
    const text = await scrape(server);
    const pool = Object.fromEntries(['connections', 'idle_connections', 'waiting_queries', 'max_connections'].map((name) => [name, valueOf(text, `snek_store_pool_${name}`, { store: 'postgres' })]));
    expect(pool['connections']).toBeGreaterThanOrEqual(1);
    expect(pool['idle_connections']).toBeLessThanOrEqual(pool['connections']!);
    expect(pool['connections']).toBeLessThanOrEqual(pool['max_connections']!);
    expect(pool['waiting_queries']).toBe(0);
    expect(valueOf(text, 'snek_store_operation_duration_seconds_count', { operation: 'browse', store: 'postgres' })).toBeGreaterThanOrEqual(8);
    if (hasPromtool) expect(lintProblems(promtool(['check', 'metrics'], text))).toEqual([]);
  });

  it('counts the queries waiting for a connection while PostgreSQL holds every one, and none once it lets go', async () => {
    // Two connections; a lock on the table holds the lists that take them, and those after wait in the pool.
    const server = await serverWith(`server:\n  store: { use: postgres, options: { url: "${TEST_PG_URL}", schema: ${POSTGRES_TEST_SCHEMA}, pool: { max: 2 } } }\n  metrics: true\n`);
    const pool = async () => {
      const text = await scrape(server);
      return { open: valueOf(text, 'snek_store_pool_connections'), waiting: valueOf(text, 'snek_store_pool_waiting_queries')!, max: valueOf(text, 'snek_store_pool_max_connections') };
    };
    await withClient(async (client) => {
      await client.query('BEGIN');
      await client.query(`LOCK TABLE ${POSTGRES_TEST_SCHEMA}.sneks IN ACCESS EXCLUSIVE MODE`);
      const lists = Array.from({ length: 4 }, (_, i) => fetch(`${server.url}/v1/sneks?limit=${i + 1}`).then((response) => response.status));
      let held = await pool();
      for (let i = 0; i < 100 && held.waiting < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        held = await pool();
      }
      await client.query('COMMIT');
      // The scrape answers from the pool's own counts while the database keeps every connection busy.
      expect(held).toEqual({ open: 2, waiting: expect.any(Number), max: 2 });
      expect(held.waiting).toBeGreaterThanOrEqual(2);
      expect(await Promise.all(lists)).toEqual([200, 200, 200, 200]);
    });
    expect((await pool()).waiting).toBe(0);
  });
});

/** promtool's findings: none is exit 0, lint findings exit 3, a text it cannot parse exits 1. */
function lintProblems({ status, output }: { status: number | null; output: string }): string[] {
  if (status === 0) return [];
  if (status !== 3) return [`promtool exited ${status}: ${output}`];
  return output.split('\n').filter((line) => line.trim());
}

describe('the scrape, as promtool reads it', () => {
  const check = hasPromtool || promtoolRequired ? it : it.skip;
  check(hasPromtool ? 'passes `promtool check metrics` with no finding' : promtoolMissing, async () => {
    if (!hasPromtool) throw new Error(`${promtoolMissing}; CI=true needs it (.ci/run installs it)`);
    const server = await serverWith(`${BUILT_IN_STORES.sqlite}  metrics: true\n`);
    await fetch(`${server.url}/v1/sneks/cute`);
    await fetch(`${server.url}/nowhere`);
    const text = await scrape(server);
    expect(lintProblems(promtool(['check', 'metrics'], text))).toEqual([]);
    // A broken line is caught: the check can fail.
    expect(promtool(['check', 'metrics'], `${text}snek_broken{ 1\n`).status).toBe(1);
  });
});
