import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { keepsChangeLog, writesInBulk, type Snek, type SnekStore, type StoreChangeLog } from '@snek/core';
import { openEventStream, type ChangeEventData, type EventStream } from './helpers/event-stream.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './helpers/in-process.js';
import { BUILT_IN_STORES, dropBuiltInStoreData } from './helpers/store-configs.js';

type Server = TestServer & { dir: string };
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
// Postgres too where it runs (always in CI): its tail is woken by LISTEN/NOTIFY as well as by polling.
const STORES: Record<string, string> = { memory: BUILT_IN_STORES.memory, sqlite: BUILT_IN_STORES.sqlite, ...(BUILT_IN_STORES.postgres ? { postgres: BUILT_IN_STORES.postgres } : {}) };
afterAll(() => dropBuiltInStoreData());
const snek = (id: string, type = 'cute'): Snek => ({ id, name: `Snek ${id}`, type, content: `art of ${id}\n` });

function changeLog(server: Server): SnekStore & StoreChangeLog {
  if (!keepsChangeLog(server.store)) throw new Error('this store keeps no change log');
  return server.store;
}

/** Every seq in the store's log after `after`, oldest first. */
async function loggedSeqs(server: Server, after: number): Promise<number[]> {
  const seqs: number[] = [];
  for (let page = await changeLog(server).changes({ after, limit: 1000 }); page.length; page = await changeLog(server).changes({ after: seqs.at(-1)!, limit: 1000 })) seqs.push(...page.map((change) => change.seq));
  return seqs;
}

async function newestSeq(server: Server): Promise<number> {
  return (await changeLog(server).changes({ order: 'desc', limit: 1 }))[0]?.seq ?? 0;
}

/** Many sneks at once: one transaction where the store has putMany, else one put after another. */
async function writeMany(server: Server, sneks: Snek[]): Promise<void> {
  if (writesInBulk(server.store)) await server.store.putMany(sneks);
  else for (const one of sneks) await server.store.put(one);
}

const open = (server: Server, query = '', headers: Record<string, string> = {}) => openEventStream(`${server.url}/v1/changes/stream${query}`, { ...AUTH, ...headers });
const seqsOf = (stream: EventStream) => stream.changes().map((change) => change.seq);

describe.each(Object.keys(STORES))('GET /v1/changes/stream on the %s store', (storeName) => {
  let server: Server;
  const streams: EventStream[] = [];
  const watch = async (query = '', headers: Record<string, string> = {}) => {
    const stream = await open(server, query, headers);
    streams.push(stream);
    return stream;
  };
  beforeAll(async () => {
    server = await startTestServer({ snekrc: `${STORES[storeName]!}  packs: []\n`, env: { SNEK_STREAM_HEARTBEAT_MS: '50' } });
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await server.stop();
  });

  it('sends each change once, in seq order, with the writer as readers may see it, in documented SSE', async () => {
    const stream = await watch();
    expect([stream.status, stream.headers.get('content-type'), stream.headers.get('cache-control'), stream.headers.get('x-accel-buffering')]).toEqual([200, 'text/event-stream; charset=utf-8', 'no-cache', 'no']);
    await server.expectDocumented({ method: 'GET', path: '/v1/changes/stream', status: 200, contentType: stream.headers.get('content-type')!, body: '' });
    await stream.until(() => stream.retry !== undefined, 'retry:');
    expect(stream.retry).toBe(2000);
    const before = await newestSeq(server);

    const ids = Array.from({ length: 8 }, (_, i) => `order-${i}`);
    await Promise.all(ids.map((id) => server.request(`/v1/sneks/${id}`, { method: 'PUT', json: snek(id) })));
    await Promise.all(ids.slice(0, 3).map((id) => server.request(`/v1/sneks/${id}`, { method: 'DELETE' })));
    await stream.until(() => stream.changes().length >= 11, '11 changes');

    expect(seqsOf(stream)).toEqual(await loggedSeqs(server, before));
    const changes = stream.changes();
    expect(changes.filter((change) => change.op === 'put').map((change) => change.id).sort()).toEqual(ids);
    expect(changes.filter((change) => change.op === 'delete').map((change) => change.id).sort()).toEqual(ids.slice(0, 3));
    const put = changes.find((change) => change.op === 'put')!;
    expect(put).toEqual({ seq: put.seq, id: put.id, op: 'put', snek: snek(put.id), at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), by: { kind: 'token', name: 'SNEK_ADMIN_TOKEN' } });
    const deleted = changes.find((change) => change.op === 'delete')!;
    expect(Object.keys(deleted).sort()).toEqual(['at', 'by', 'id', 'op', 'seq']);
    // Each event's id is its seq, so an EventSource's Last-Event-ID is a resume point.
    expect(stream.events.every((event) => event.event === 'change' && event.id === String((JSON.parse(event.data) as ChangeEventData).seq))).toBe(true);
    expect(stream.raw()).toMatch(new RegExp(`^retry: 2000\\n\\n[^]*id: ${put.seq}\\nevent: change\\ndata: \\{"seq":${put.seq},`));
  });

  it('resumes after Last-Event-ID with no gap and no repeat while changes keep coming, past a page of the log', async () => {
    const start = await newestSeq(server);
    let writing = true;
    const writer = (async () => {
      // A turn of the event loop per write: the memory store answers in microtasks, which would starve the streams.
      for (let i = 0; writing; i++) {
        await server.store.put(snek(`busy-${i % 50}`));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const first = await watch();
    await first.until(() => first.changes().length >= 20, '20 changes');
    first.close();
    const lastId = first.events.at(-1)!.id!;
    // More than one page of the log (1000) while nobody listens.
    await writeMany(server, Array.from({ length: 1500 }, (_, i) => snek(`bulk-${i}`)));
    const second = await watch('', { 'last-event-id': lastId });
    await second.until(() => second.changes().length >= 1520, 'the backlog');
    writing = false;
    await writer;
    const end = await newestSeq(server);
    await second.until(() => seqsOf(second).at(-1) === end, `seq ${end}`);

    const received = [...seqsOf(first), ...seqsOf(second)];
    const logged = await loggedSeqs(server, seqsOf(first)[0]! - 1);
    expect(received.length).toBe(new Set(received).size);
    expect(received).toEqual(logged);
    expect(seqsOf(first)[0]).toBeGreaterThan(start);
  });

  it('?after= resumes as Last-Event-ID does, and Last-Event-ID wins over it', async () => {
    const before = await newestSeq(server);
    await writeMany(server, [snek('after-1'), snek('after-2'), snek('after-3')]);
    const logged = await loggedSeqs(server, before);
    const byQuery = await watch(`?after=${logged[0]}`);
    const both = await watch(`?after=0`, { 'last-event-id': String(logged[1]) });
    await byQuery.until(() => byQuery.changes().length >= 2, 'two changes');
    await both.until(() => both.changes().length >= 1, 'one change');
    expect([seqsOf(byQuery), seqsOf(both)]).toEqual([logged.slice(1), logged.slice(2)]);
  });

  it('a Last-Event-ID past the end of the log (a log that restarted) resumes from its start', async () => {
    const stream = await watch('', { 'last-event-id': '999999999' });
    const [oldest] = await changeLog(server).changes({ limit: 1 });
    await stream.until(() => stream.changes().length > 0, 'a change');
    expect(seqsOf(stream)[0]).toBe(oldest!.seq);
  });

  it('sends a comment heartbeat while nothing changes', async () => {
    const stream = await watch();
    await stream.until(() => stream.comments.filter((comment) => comment === 'ping').length >= 2, 'two heartbeats');
    expect(stream.raw()).toContain('\n: ping\n\n');
  });

  it('?type= sends the changes of sneks of that type, before or after each change, and no other', async () => {
    const typed = await watch('?type=cute');
    const all = await watch();
    const writes: Array<[string, 'PUT' | 'DELETE', string?]> = [
      ['t-a', 'PUT', 'cute'],
      ['t-b', 'PUT', 'other'],
      ['t-a', 'PUT', 'other'],
      ['t-b', 'PUT', 'cute'],
      ['t-b', 'DELETE'],
      ['t-c', 'PUT', 'other'],
      ['t-c', 'DELETE'],
      ['t-z', 'PUT', 'cute'],
    ];
    for (const [id, method, type] of writes) {
      const response = await server.request(`/v1/sneks/${id}`, { method, ...(type ? { json: snek(id, type) } : {}) });
      expect(response.ok).toBe(true);
    }
    await all.until(() => all.changes().length >= writes.length, 'every change');
    await typed.until(() => typed.changes().some((change) => change.id === 't-z'), 't-z');
    const shown = (stream: EventStream) => stream.changes().map((change) => `${change.op} ${change.id} ${change.snek?.type ?? '-'}`);
    expect(shown(typed)).toEqual(['put t-a cute', 'put t-a other', 'put t-b cute', 'delete t-b -', 'put t-z cute']);
    expect(shown(all)).toHaveLength(writes.length);
  });

  it('answers a bad query or Last-Event-ID with a 400 problem', async () => {
    for (const [query, headers, code] of [
      ['?after=soon', {}, 'SNEK_INVALID'],
      ['?after=-1', {}, 'SNEK_INVALID'],
      ['?type=Not%20A%20Slug', {}, 'SNEK_INVALID'],
      ['?since=1', {}, 'SNEK_INVALID'],
      ['', { 'last-event-id': 'abc' }, 'REQUEST_INVALID'],
    ] as const) {
      const response = await server.request(`/v1/changes/stream${query}`, { headers });
      expect([query, response.status, ((await response.json()) as { code: string }).code]).toEqual([query, 400, code]);
    }
  });
});

describe('GET /v1/changes/stream on a private server', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startTestServer({ snekrc: 'server:\n  store: memory\n  packs: []\n  auth: { read: token }\n' });
  });
  afterAll(() => server.stop());

  it('needs the read scope: 401 without a token, a stream with one, marked private', async () => {
    const refused = await server.request('/v1/changes/stream', { token: null });
    expect([refused.status, ((await refused.json()) as { code: string }).code, refused.headers.get('www-authenticate')]).toEqual([401, 'UNAUTHORIZED', 'Bearer realm="snek"']);
    const wrong = await server.request('/v1/changes/stream', { token: 'not-a-token' });
    expect(wrong.status).toBe(401);
    const stream = await open(server);
    try {
      expect([stream.status, stream.headers.get('cache-control')]).toEqual([200, 'private, no-cache']);
      await server.request('/v1/sneks/private-1', { method: 'PUT', json: snek('private-1') });
      await stream.until(() => stream.changes().length === 1, 'the change');
    } finally {
      stream.close();
    }
  });
});

describe('GET /v1/changes/stream and the server around it', () => {
  it('a store without a change log answers a 404 problem that says so', async () => {
    const store = fileURLToPath(new URL('./fixtures/stores/no-conditional/', import.meta.url));
    const server = await startTestServer({ snekrc: `server:\n  store: { use: ${JSON.stringify(store)} }\n  packs: []\n` });
    try {
      const response = await server.request('/v1/changes/stream');
      const body = (await response.json()) as { code: string; detail: string };
      expect([response.status, body.code]).toEqual([404, 'HISTORY_NOT_KEPT']);
      expect(body.detail).toMatch(/keeps no change log/);
    } finally {
      await server.stop();
    }
  });

  it('open streams do not hold up a graceful stop: they end, and the server stops', async () => {
    // A drain that waited on the streams would outlast the test's timeout.
    const server = await startTestServer({ snekrc: 'server:\n  store: memory\n  packs: []\n', drainTimeoutMs: 120_000 });
    const streams = await Promise.all([open(server), open(server, '?after=0')]);
    await Promise.all(streams.map((stream) => stream.until(() => stream.retry !== undefined, 'retry:')));
    await server.stop();
    await Promise.all(streams.map((stream) => stream.ended));
  });

  it('counts against server.maxConnections like any request: past it, 503', async () => {
    const server = await startTestServer({ snekrc: 'server:\n  store: memory\n  packs: []\n  maxConnections: 2\n' });
    const streams = await Promise.all([open(server), open(server)]);
    try {
      const refused = await fetch(`${server.url}/v1/changes/stream`, { headers: AUTH });
      expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([503, 'SERVER_BUSY']);
    } finally {
      for (const stream of streams) stream.close();
      await server.stop();
    }
  });
});

describe('docs/api.md, live changes', () => {
  it('its curl line, run with the real curl, prints events like those it shows', async () => {
    const doc = await readFile(new URL('../../../docs/api.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Live changes'));
    const command = /```sh\n(curl -N [^\n]+)\n```/.exec(section)![1]!;
    const shown = /```text\n([\s\S]*?)```/.exec(section)![1]!;
    const server = await startTestServer({ snekrc: 'server:\n  store: memory\n  packs: []\n' });
    const curl = spawn('bash', ['-c', command.replace('http://localhost:8000', server.url)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    try {
      const events = new Promise<void>((resolve) => {
        curl.stdout.on('data', (chunk: Buffer) => {
          printed += chunk;
          if ((printed.match(/^event: change$/gm) ?? []).length === 2) resolve();
        });
      });
      await new Promise<void>((resolve) => curl.stdout.once('data', () => resolve()));
      await server.request('/v1/sneks/tiny-snek', { method: 'PUT', json: { name: 'Tiny Snek', type: 'tiny', content: '~~~~~~~~<\n' } });
      await server.request('/v1/sneks/tiny-snek', { method: 'DELETE' });
      await events;
    } finally {
      curl.kill();
      await server.stop();
    }
    // The same lines, field by field, but for the seqs and the times.
    const shape = (text: string) => text.replace(/^: ping\n\n/m, '').replace(/\d+/g, 'N').trimEnd();
    expect(shape(printed)).toBe(shape(shown));
  });
});
