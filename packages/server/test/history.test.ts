import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Change } from '@snek/core';
import { accessPolicy } from '../src/access.js';
import { apiGuard } from '../src/routes/api-router.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './helpers/in-process.js';
import { BUILT_IN_STORES, dropBuiltInStoreData } from './helpers/store-configs.js';
import { sha256 } from './helpers/token-config.js';

// History, undo and the audit log over HTTP, against every built-in store that keeps a change log, with named tokens
// so that who did what can be told apart.
const READER = 'history-reader';
const WRITER = 'history-writer';
const AUDITOR = 'history-auditor';
const tokens = `    tokens:
      - { name: reader, sha256: ${sha256(READER)}, scopes: [read] }
      - { name: writer, sha256: ${sha256(WRITER)}, scopes: [read, write] }
      - { name: auditor, sha256: ${sha256(AUDITOR)}, scopes: [admin] }
`;
const auth = (read: 'public' | 'token') => `  auth:\n${read === 'token' ? '    read: token\n' : ''}${tokens}`;
const snekrc = (read: 'public' | 'token') => `server:\n  store: memory\n${auth(read)}`;
// The built-in stores that keep a change log; postgres only where PostgreSQL is reachable (always in CI).
const LOGGED_STORES: Record<string, string> = { memory: BUILT_IN_STORES.memory, sqlite: BUILT_IN_STORES.sqlite, ...(BUILT_IN_STORES.postgres ? { postgres: BUILT_IN_STORES.postgres } : {}) };
afterAll(() => dropBuiltInStoreData());

interface Revision {
  seq: number;
  op: 'put' | 'delete';
  snek?: { id: string; name: string; type: string; content: string };
  at: string;
  by: { kind: string; name: string } | null;
}
type Json = Record<string, unknown>;

const art = (n: number) => ({ name: `History ${n}`, type: 'history', content: `version ${n}\n` });

async function call(server: TestServer, path: string, token: string | null, init: RequestInit & { json?: unknown } = {}) {
  const response = await server.request(path, { token, ...init });
  const text = await response.text();
  return { status: response.status, etag: response.headers.get('etag'), headers: response.headers, json: (text ? JSON.parse(text) : undefined) as Json };
}

describe.each(Object.keys(LOGGED_STORES))('a public server on the %s store', (store) => {
  let server: TestServer;
  const put = (id: string, body: object, token = WRITER, headers: Record<string, string> = {}) => call(server, `/v1/sneks/${id}`, token, { method: 'PUT', json: body, headers });
  const restore = (id: string, seq: number, token: string | null = WRITER, headers: Record<string, string> = {}) => call(server, `/v1/sneks/${id}/revisions/${seq}/restore`, token, { method: 'POST', headers });
  const revisions = async (id: string, query = '') => (await call(server, `/v1/sneks/${id}/revisions${query}`, null)).json as { items: Revision[]; nextCursor: string | null };

  beforeAll(async () => {
    server = await startTestServer({ snekrc: LOGGED_STORES[store]! + auth('public') });
    // h: put 1 by the writer, put 2 by the admin token, then deleted by the writer.
    expect((await put('h', art(1))).status).toBe(201);
    expect((await put('h', art(2), ADMIN_TOKEN)).status).toBe(200);
    expect((await call(server, '/v1/sneks/h', WRITER, { method: 'DELETE' })).status).toBe(204);
  });
  afterAll(() => server.stop());

  describe('updatedAt and updatedBy', () => {
    it('GET /v1/sneks/:id carries the newest change: who (the public view) and when (as the log has it)', async () => {
      const written = await put('meta', art(1));
      expect(written.json).toEqual({ id: 'meta', ...art(1), updatedAt: expect.any(String), updatedBy: { kind: 'token', name: 'writer' } });
      const got = await call(server, '/v1/sneks/meta', null);
      expect(got.json).toEqual(written.json);
      const [latest] = ((await call(server, '/v1/changes?limit=1000', ADMIN_TOKEN)).json.items as Change[]).filter((change) => change.id === 'meta');
      expect(got.json['updatedAt']).toBe(latest!.at);
      expect(new Date(latest!.at).toISOString()).toBe(latest!.at);
    });

    it('a seeded pack snek was written by nobody: updatedBy null, updatedAt the seed', async () => {
      const cute = await call(server, '/v1/sneks/cute', null);
      expect(cute.json).toMatchObject({ id: 'cute', updatedBy: null, updatedAt: expect.any(String) });
    });

    it('the ETag is of the snek alone: a rewrite of the same snek by someone else changes updatedBy, not the ETag, and If-None-Match still gets 304', async () => {
      const first = await put('same', art(7));
      const again = await put('same', art(7), ADMIN_TOKEN);
      expect(again.etag).toBe(first.etag);
      expect([first.json['updatedBy'], again.json['updatedBy']]).toEqual([{ kind: 'token', name: 'writer' }, { kind: 'token', name: 'SNEK_ADMIN_TOKEN' }]);
      const got = await call(server, '/v1/sneks/same', null);
      expect(got.etag).toBe(first.etag);
      expect((await call(server, '/v1/sneks/same', null, { headers: { 'if-none-match': first.etag! } })).status).toBe(304);
      // If-Match with that ETag still writes, and a changed snek gets another one.
      const changed = await put('same', art(8), WRITER, { 'if-match': first.etag! });
      expect(changed.status).toBe(200);
      expect(changed.etag).not.toBe(first.etag);
    });

    it('every item of a list page carries its own, and the page of one name still has an ETag', async () => {
      await put('list-a', art(1));
      await put('list-b', art(2), ADMIN_TOKEN);
      const page = (await call(server, '/v1/sneks?type=history&limit=500', null)).json as { items: Json[] };
      const byId = Object.fromEntries(page.items.map((item) => [item['id'], item['updatedBy']]));
      expect(byId).toMatchObject({ 'list-a': { kind: 'token', name: 'writer' }, 'list-b': { kind: 'token', name: 'SNEK_ADMIN_TOKEN' } });
      expect(page.items.every((item) => typeof item['updatedAt'] === 'string')).toBe(true);
      const named = await call(server, `/v1/sneks?name=${encodeURIComponent('History 2')}`, null);
      expect(named.etag).toMatch(/^"/);
      expect((await call(server, `/v1/sneks?name=${encodeURIComponent('History 2')}`, null, { headers: { 'if-none-match': named.etag! } })).status).toBe(304);
    });

    it('the prototype\'s /sneks keeps its shape: no updatedAt there', async () => {
      expect((await call(server, '/sneks?name=cute', null)).json).toEqual({ sneks: { cute: { name: 'cute', content: expect.any(String) } } });
    });
  });

  describe('GET /v1/sneks/:id/revisions', () => {
    it('lists every change of a deleted snek, newest first, with the snek of each put and who made it', async () => {
      const { items, nextCursor } = await revisions('h');
      expect(items.map(({ op, snek, by }) => ({ op, name: snek?.name, by: by?.name }))).toEqual([
        { op: 'delete', name: undefined, by: 'writer' },
        { op: 'put', name: 'History 2', by: 'SNEK_ADMIN_TOKEN' },
        { op: 'put', name: 'History 1', by: 'writer' },
      ]);
      expect(items[1]!.snek).toEqual({ id: 'h', ...art(2) });
      expect(items[0]!.seq > items[1]!.seq && items[1]!.seq > items[2]!.seq).toBe(true);
      expect(nextCursor).toBeNull();
    });

    it('pages with limit and the opaque cursor: each revision once, in order, and the last page says so', async () => {
      const all = (await revisions('h')).items.map((r) => r.seq);
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Revision[]; nextCursor: string | null } = await revisions('h', `?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.items).toHaveLength(1);
        seen.push(page.items[0]!.seq);
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all);
    });

    it('an id with no history is a 404 SNEK_NOT_FOUND', async () => {
      const none = await call(server, '/v1/sneks/never-written/revisions', null);
      expect([none.status, none.json['code']]).toEqual([404, 'SNEK_NOT_FOUND']);
    });

    it.each([
      ['limit=0', 'SNEK_INVALID'],
      ['limit=501', 'SNEK_INVALID'],
      ['limit=1e2', 'SNEK_INVALID'],
      ['limit=01', 'SNEK_INVALID'],
      ['limit=1&limit=2', 'SNEK_INVALID'],
      ['cursor=garbage!', 'SNEK_INVALID'],
      [`cursor=${Buffer.from('a:h').toString('base64url')}`, 'SNEK_INVALID'],
      [`cursor=${Buffer.from('b:0').toString('base64url')}`, 'SNEK_INVALID'],
      [`cursor=${Buffer.from('b:99999999999999999').toString('base64url')}`, 'SNEK_INVALID'],
      ['after=1', 'SNEK_INVALID'],
    ])('?%s is a 400 %s', async (query, code) => {
      const refused = await call(server, `/v1/sneks/h/revisions?${query}`, null);
      expect([refused.status, refused.json['code']]).toEqual([400, code]);
    });
  });

  describe('GET /v1/sneks/:id/revisions/:seq', () => {
    it('answers one revision, and 404 for a seq of another snek or none at all', async () => {
      const [, second] = (await revisions('h')).items;
      expect((await call(server, `/v1/sneks/h/revisions/${second!.seq}`, null)).json).toEqual(second);
      const other = (await revisions('meta')).items[0]!.seq;
      for (const seq of [other, 9_007_199_254_740_991]) {
        const missing = await call(server, `/v1/sneks/h/revisions/${seq}`, null);
        expect([seq, missing.status, missing.json['code']]).toEqual([seq, 404, 'SNEK_NOT_FOUND']);
      }
    });

    it.each(['0', '-1', '1.5', '1e3', '01', 'abc', '9007199254740992', '%zz'])('seq %s is a 400', async (seq) => {
      const refused = await call(server, `/v1/sneks/h/revisions/${seq}`, null);
      expect(refused.status).toBe(400);
    });
  });

  describe('POST /v1/sneks/:id/revisions/:seq/restore', () => {
    it('brings a deleted snek back with If-None-Match: *, as a PUT creating it would: 201, its ETag, and the restorer as updatedBy', async () => {
      await put('undo', art(1));
      await put('undo', art(2));
      expect((await call(server, '/v1/sneks/undo', WRITER, { method: 'DELETE' })).status).toBe(204);
      const first = (await revisions('undo')).items.at(-1)!;
      const restored = await restore('undo', first.seq, ADMIN_TOKEN, { 'if-none-match': '*' });
      expect(restored.status).toBe(201);
      expect(restored.json).toEqual({ id: 'undo', ...art(1), updatedAt: expect.any(String), updatedBy: { kind: 'token', name: 'SNEK_ADMIN_TOKEN' } });
      const got = await call(server, '/v1/sneks/undo', null);
      expect([got.json, got.etag]).toEqual([restored.json, restored.etag]);
      // The restore is itself a change: the newest revision, a put by whoever restored.
      const [newest] = (await revisions('undo')).items;
      expect(newest).toMatchObject({ op: 'put', snek: { id: 'undo', ...art(1) }, by: { kind: 'token', name: 'SNEK_ADMIN_TOKEN' } });
      expect(newest!.seq).toBeGreaterThan(first.seq);
    });

    it('honours If-Match against the current snek: 412 for a stale ETag or If-None-Match: * over a snek, 200 for the current one', async () => {
      await put('guarded', art(1));
      const stale = (await put('guarded', art(2))).etag!;
      const current = await put('guarded', art(3));
      const [, , first] = (await revisions('guarded')).items;
      const refused = await restore('guarded', first!.seq, WRITER, { 'if-match': stale });
      expect([refused.status, refused.json['code'], refused.json['currentEtag']]).toEqual([412, 'PRECONDITION_FAILED', current.etag]);
      expect((await restore('guarded', first!.seq, WRITER, { 'if-none-match': '*' })).status).toBe(412);
      expect((await call(server, '/v1/sneks/guarded', null)).json).toMatchObject(art(3));
      const done = await restore('guarded', first!.seq, WRITER, { 'if-match': current.etag! });
      expect([done.status, done.json['name']]).toEqual([200, 'History 1']);
    });

    it('a delete revision cannot be restored: 400 REQUEST_INVALID, and nothing is written', async () => {
      const before = (await revisions('h')).items;
      const refused = await restore('h', before[0]!.seq);
      expect([refused.status, refused.json['code']]).toEqual([400, 'REQUEST_INVALID']);
      expect((await revisions('h')).items).toEqual(before);
      expect((await call(server, '/v1/sneks/h', null)).status).toBe(404);
    });

    it('needs the write scope: none is 401, read or admin alone 403, and nothing is written', async () => {
      const seq = (await revisions('h')).items[1]!.seq;
      for (const [token, status] of [[null, 401], [READER, 403], [AUDITOR, 403], ['not-a-token', 401]] as const) {
        const refused = await restore('h', seq, token);
        expect([token, refused.status, refused.json['scope']]).toEqual([token, status, 'write']);
      }
      expect((await call(server, '/v1/sneks/h', null)).status).toBe(404);
    });

    it('a malformed If-Match, a seq of another snek, or an id that is not a slug is a 4xx that writes nothing', async () => {
      const seq = (await revisions('h')).items[1]!.seq;
      const other = (await revisions('meta')).items[0]!.seq;
      expect((await restore('h', seq, WRITER, { 'if-match': 'no-quotes' })).status).toBe(400);
      expect((await restore('h', other)).status).toBe(404);
      expect((await call(server, `/v1/sneks/Not%20A%20Slug/revisions/${seq}/restore`, WRITER, { method: 'POST' })).status).toBe(400);
      expect((await call(server, '/v1/sneks/h', null)).status).toBe(404);
    });
  });

  describe('GET /v1/changes', () => {
    it('is every change, oldest first, with full actors, paged by next and after', async () => {
      const all = (await call(server, '/v1/changes?limit=1000', ADMIN_TOKEN)).json as { items: Change[]; next: number };
      expect(all.items.map((c) => c.seq)).toEqual([...all.items.map((c) => c.seq)].sort((a, b) => a - b));
      expect(all.next).toBe(all.items.at(-1)!.seq);
      expect(all.items.find((c) => c.id === 'h' && c.op === 'delete')).toMatchObject({ actor: { kind: 'token', id: 'writer' } });
      const paged: Change[] = [];
      let after = 0;
      for (;;) {
        const page = (await call(server, `/v1/changes?after=${after}&limit=7`, AUDITOR)).json as { items: Change[]; next: number };
        paged.push(...page.items);
        if (page.items.length === 0) {
          expect(page.next).toBe(after);
          break;
        }
        after = page.next;
      }
      expect(paged).toEqual(all.items);
    });

    it('needs the admin scope, even on a public server, and no cache may keep it', async () => {
      for (const [token, status] of [[null, 401], [READER, 403], [WRITER, 403], [AUDITOR, 200], [ADMIN_TOKEN, 200]] as const) {
        const answer = await call(server, '/v1/changes', token);
        expect([token, answer.status]).toEqual([token, status]);
        if (status !== 200) expect(answer.json['scope']).toBe('admin');
        else expect(answer.headers.get('cache-control')).toBe('private, no-store');
      }
    });

    it.each(['after=-1', 'after=x', 'limit=0', 'limit=1001', 'limit=5&limit=6', 'cursor=x'])('?%s is a 400', async (query) => {
      expect((await call(server, `/v1/changes?${query}`, ADMIN_TOKEN)).status).toBe(400);
    });
  });
});

describe('a private server (auth.read: token)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ snekrc: snekrc('token'), readToken: READER });
    expect((await call(server, '/v1/sneks/p', WRITER, { method: 'PUT', json: art(1) })).status).toBe(201);
  });
  afterAll(() => server.stop());

  it('history needs the read scope; the audit log needs read and admin', async () => {
    expect((await call(server, '/v1/sneks/p/revisions', null)).status).toBe(401);
    expect((await call(server, '/v1/sneks/p/revisions', READER)).status).toBe(200);
    expect((await call(server, '/v1/sneks/p/revisions/1', null)).status).toBe(401);
    // The auditor has admin alone: on a private server the log's sneks are reads too.
    expect([(await call(server, '/v1/changes', READER)).status, (await call(server, '/v1/changes', AUDITOR)).status, (await call(server, '/v1/changes', ADMIN_TOKEN)).status]).toEqual([403, 403, 200]);
  });

  it('the guard gives /v1/changes/stream the rule of every read, and /v1/changes its own', () => {
    const guard = apiGuard(accessPolicy({ read: 'token', tokens: [] }, {}));
    const read = guard({ method: 'get', path: '/v1/sneks' });
    expect(guard({ method: 'get', path: '/v1/changes/stream' })).toEqual(read);
    expect(guard({ method: 'get', path: '/v1/changes' })).toHaveLength(2);
    expect(guard({ method: 'get', path: '/v1/changes' })[0]).toBe(read[0]);
    const publicGuard = apiGuard(accessPolicy({}, {}));
    expect([publicGuard({ method: 'get', path: '/v1/changes/stream' }), publicGuard({ method: 'get', path: '/v1/changes' })].map((chain) => chain.length)).toEqual([0, 1]);
  });
});

const fixture = (name: string) => JSON.stringify(fileURLToPath(new URL(`./fixtures/stores/${name}/`, import.meta.url)));

describe('a store without a change log', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ snekrc: `server:\n  store: { use: ${fixture('no-conditional')} }\n` });
  });
  afterAll(() => server.stop());

  it('answers sneks with updatedAt and updatedBy null, and history with 404 HISTORY_NOT_KEPT', async () => {
    const written = await call(server, '/v1/sneks/nolog', ADMIN_TOKEN, { method: 'PUT', json: art(1) });
    expect(written.json).toEqual({ id: 'nolog', ...art(1), updatedAt: null, updatedBy: null });
    expect((await call(server, '/v1/sneks/nolog', null)).json).toEqual(written.json);
    for (const [path, method] of [['/v1/sneks/nolog/revisions', 'GET'], ['/v1/sneks/nolog/revisions/1', 'GET'], ['/v1/sneks/nolog/revisions/1/restore', 'POST'], ['/v1/changes', 'GET']]) {
      const refused = await call(server, path!, ADMIN_TOKEN, { method: method! });
      expect([path, refused.status, refused.json['code']]).toEqual([path, 404, 'HISTORY_NOT_KEPT']);
    }
  });
});

describe('a third-party store with a change log but no putIf', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ snekrc: `server:\n  store: { use: ${fixture('log-no-conditional')} }\n` });
  });
  afterAll(() => server.stop());

  it('keeps its history through the server\'s conditional-write fallback: answers, revisions and a conditional restore', async () => {
    const first = await call(server, '/v1/sneks/third', ADMIN_TOKEN, { method: 'PUT', json: art(1) });
    expect(first.json['updatedBy']).toEqual({ kind: 'token', name: 'SNEK_ADMIN_TOKEN' });
    const second = await call(server, '/v1/sneks/third', ADMIN_TOKEN, { method: 'PUT', json: art(2) });
    const { items } = (await call(server, '/v1/sneks/third/revisions', null)).json as { items: Revision[] };
    expect(items.map((r) => r.snek?.name)).toEqual(['History 2', 'History 1']);
    const restored = await call(server, `/v1/sneks/third/revisions/${items[1]!.seq}/restore`, ADMIN_TOKEN, { method: 'POST', headers: { 'if-match': second.etag! } });
    expect([restored.status, restored.json['name'], restored.etag]).toEqual([200, 'History 1', first.etag]);
  });
});

describe('docs/api.md', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    // The README's history session, over HTTP: created, replaced, deleted.
    for (const [method, content] of [['PUT', '~~<\n'], ['PUT', '~~~~~~<\n'], ['DELETE', '']] as const) {
      const json = method === 'PUT' ? { name: 'Undo Me', type: 'tiny', content } : undefined;
      expect((await server.request('/v1/sneks/undo-me', { method, ...(json ? { json } : {}) })).status).toBeLessThan(300);
    }
  });
  afterAll(() => server.stop());

  it('the history examples answer as shown, all but the times', async () => {
    const doc = await readFile(new URL('../../../docs/api.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## History, undo and the audit log'), doc.indexOf('## Writes that never clobber'));
    const examples = [...section.matchAll(/```http\n([\s\S]*?)```\s*```json\n([\s\S]*?)```/g)].map((m) => ({ request: m[1]!.trim().split('\n'), answer: JSON.parse(m[2]!) as unknown }));
    expect(examples.length).toBe(3);
    for (const { request, answer } of examples) {
      const [method, path] = request[0]!.split(' ') as [string, string];
      const headers = Object.fromEntries(request.slice(1).map((line) => line.split(/: (.*)/s, 2).map((part) => part.replace('$SNEK_TOKEN', ADMIN_TOKEN))));
      const response = await server.request(path, { method, headers, token: null });
      expect([request[0], await response.json()]).toEqual([request[0], anyTimes(answer)]);
    }
  });
});

/** The example with every time (`at`, `updatedAt`) as any string: they are the only part that differs run to run. */
function anyTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(anyTimes);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === 'at' || key === 'updatedAt' ? expect.any(String) : anyTimes(item)]));
}
