import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from './helpers/in-process.js';
import { BUILT_IN_STORES, dropBuiltInStoreData } from './helpers/store-configs.js';

// If-Match / If-None-Match on PUT and DELETE through the real server; every answer is checked against /openapi.json.
type Body = { name: string; type: string; content: string };
const body = (over: Partial<Body> = {}): Body => ({ name: 'Snek', type: 'plain', content: '~~<\n', ...over });

interface Answer {
  status: number;
  etag: string | null;
  json: Record<string, unknown> | undefined;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  return { status: response.status, etag: response.headers.get('etag'), json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const put = async (server: TestServer, id: string, json: unknown, headers: Record<string, string> = {}) => answer(await server.request(`/v1/sneks/${id}`, { method: 'PUT', json, headers }));
const del = async (server: TestServer, id: string, headers: Record<string, string> = {}) => answer(await server.request(`/v1/sneks/${id}`, { method: 'DELETE', headers }));
const get = async (server: TestServer, id: string) => answer(await server.request(`/v1/sneks/${id}`));

describe('If-Match and If-None-Match on PUT and DELETE', () => {
  let server: TestServer & { dir: string };
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('PUT with If-None-Match: * creates a missing snek (201, with the ETag GET then gives) and answers 412 naming the snek when it exists', async () => {
    const created = await put(server, 'nihon', body({ name: '日本語 snek', type: 't' }), { 'if-none-match': '*' });
    expect(created.status).toBe(201);
    expect(created.etag).toBe((await get(server, 'nihon')).etag);
    const refused = await put(server, 'nihon', body({ name: '中文 snek', type: 'other' }), { 'if-none-match': '*' });
    expect(refused.status).toBe(412);
    expect(refused.json).toMatchObject({ code: 'PRECONDITION_FAILED', status: 412, currentEtag: created.etag, current: { id: 'nihon', name: '日本語 snek', type: 't' } });
    expect((await get(server, 'nihon')).json).toMatchObject({ name: '日本語 snek', type: 't' });
  });

  it('PUT with If-Match: the current ETag replaces it (200 with the new ETag); a stale one is 412 with the current ETag and snek', async () => {
    const first = await put(server, 'edited', body({ content: 'one\n' }));
    const second = await put(server, 'edited', body({ content: 'two\n' }), { 'if-match': first.etag! });
    expect(second.status).toBe(200);
    expect(second.etag).not.toBe(first.etag);
    expect(second.etag).toBe((await get(server, 'edited')).etag);
    const stale = await put(server, 'edited', body({ content: 'three\n' }), { 'if-match': first.etag! });
    expect(stale.status).toBe(412);
    expect(stale.json).toMatchObject({ code: 'PRECONDITION_FAILED', currentEtag: second.etag, current: { id: 'edited', name: 'Snek', type: 'plain' } });
    expect((await get(server, 'edited')).json).toMatchObject({ content: 'two\n' });
  });

  it('If-Match takes a comma list (any listed ETag matches) and * (the snek must exist); a weak W/ tag never matches', async () => {
    const { etag } = await put(server, 'listed', body());
    expect((await put(server, 'listed', body({ content: 'weak\n' }), { 'if-match': `W/${etag}` })).status).toBe(412);
    const listed = await put(server, 'listed', body({ content: 'listed\n' }), { 'if-match': `"nope", ${etag} , "other"` });
    expect(listed.status).toBe(200);
    expect((await put(server, 'listed', body({ content: 'star\n' }), { 'if-match': '*' })).status).toBe(200);
    expect((await put(server, 'absent-star', body(), { 'if-match': '*' })).status).toBe(412);
    expect((await get(server, 'absent-star')).status).toBe(404);
  });

  it('If-Match on a missing snek is 412 with currentEtag and current null, and creates nothing', async () => {
    const refused = await put(server, 'never', body(), { 'if-match': '"abc"' });
    expect(refused.status).toBe(412);
    expect(refused.json).toMatchObject({ code: 'PRECONDITION_FAILED', currentEtag: null, current: null });
    expect((await get(server, 'never')).status).toBe(404);
  });

  it('If-None-Match with ETags on PUT: 412 while the snek is one of them (weak comparison), written otherwise', async () => {
    const { etag } = await put(server, 'not-that', body());
    expect((await put(server, 'not-that', body({ content: 'x\n' }), { 'if-none-match': `W/${etag}` })).status).toBe(412);
    expect((await put(server, 'not-that', body({ content: 'y\n' }), { 'if-none-match': '"something-else"' })).status).toBe(200);
  });

  it('with both headers, If-Match is checked first and If-None-Match after it (RFC 9110 §13.2.2)', async () => {
    const { etag } = await put(server, 'both', body());
    expect((await put(server, 'both', body({ content: 'a\n' }), { 'if-match': etag!, 'if-none-match': etag! })).status).toBe(412);
    const written = await put(server, 'both', body({ content: 'b\n' }), { 'if-match': etag!, 'if-none-match': '"other"' });
    expect(written.status).toBe(200);
  });

  it('DELETE with If-Match: the current ETag deletes (204); a stale one is 412 and keeps the snek; on a missing snek it is 412', async () => {
    const first = await put(server, 'doomed', body());
    const second = await put(server, 'doomed', body({ content: 'changed\n' }));
    const stale = await del(server, 'doomed', { 'if-match': first.etag! });
    expect(stale.status).toBe(412);
    expect(stale.json).toMatchObject({ code: 'PRECONDITION_FAILED', currentEtag: second.etag, current: { id: 'doomed' } });
    expect((await get(server, 'doomed')).status).toBe(200);
    expect((await del(server, 'doomed', { 'if-match': second.etag! })).status).toBe(204);
    expect((await get(server, 'doomed')).status).toBe(404);
    // RFC 9110 §13.2.1: without the condition this DELETE is a 404, so the condition is ignored.
    expect((await del(server, 'doomed', { 'if-match': second.etag! })).json).toMatchObject({ status: 404, code: 'SNEK_NOT_FOUND' });
    expect((await del(server, 'doomed', { 'if-none-match': '*' })).status).toBe(404);
  });

  it('a malformed If-Match or If-None-Match is a 400 REQUEST_INVALID, and nothing is written', async () => {
    for (const headers of <Record<string, string>[]>[{ 'if-match': 'abc' }, { 'if-match': '"abc' }, { 'if-none-match': 'W/abc' }, { 'if-match': '"a" "b"' }]) {
      const refused = await put(server, 'malformed', body(), headers);
      expect([refused.status, refused.json?.['code']]).toEqual([400, 'REQUEST_INVALID']);
      expect((await del(server, 'malformed', headers)).status).toBe(400);
    }
    expect((await get(server, 'malformed')).status).toBe(404);
  });

  it('an invalid body is a 400 whatever the preconditions say: they are checked only for a request that is otherwise good', async () => {
    const refused = await put(server, 'invalid', { name: '', type: 'NOT A SLUG', content: '' }, { 'if-match': '"abc"' });
    expect([refused.status, refused.json?.['code']]).toEqual([400, 'SNEK_INVALID']);
  });
});

const RACERS = 12;
const FALLBACK_STORE = fileURLToPath(new URL('./fixtures/stores/no-conditional/', import.meta.url));
const RACE_STORES: Record<string, string> = { ...BUILT_IN_STORES, 'third-party (no putIf: the per-process fallback)': `server:\n  store: { use: ${JSON.stringify(FALLBACK_STORE)} }\n` };

describe.each(Object.keys(RACE_STORES))('racing conditional writes on one server, %s store', (store) => {
  let server: TestServer & { dir: string };
  beforeAll(async () => {
    server = await startTestServer({ snekrc: RACE_STORES[store]! });
  });
  afterAll(async () => {
    await server.stop();
  });
  afterAll(() => dropBuiltInStoreData());

  it(`${RACERS} PUTs of one id with the same If-Match: exactly one 200, the rest 412, and the snek is the winner's body whole`, async () => {
    for (let round = 0; round < 3; round++) {
      const id = `race-${round}`;
      const { etag } = await put(server, id, body({ content: `base ${round}\n` }));
      const bodies = Array.from({ length: RACERS }, (_, i) => body({ name: `Racer ${i}`, content: `${`${i}`.repeat(1 + ((i * 997) % 3000))}\n` }));
      const answers = await Promise.all(bodies.map((b) => put(server, id, b, { 'if-match': etag! })));
      const won = answers.flatMap((a, i) => (a.status === 200 ? [i] : []));
      expect(won).toHaveLength(1);
      expect(answers.filter((a) => a.status === 412)).toHaveLength(RACERS - 1);
      const final = await get(server, id);
      expect(final.json).toMatchObject({ id, ...bodies[won[0]!] });
      expect(final.etag).toBe(answers[won[0]!]!.etag);
    }
  }, 60_000);

  it(`${RACERS} PUTs of a new id with If-None-Match: *: exactly one 201, the rest 412 naming the winner; a stale DELETE is 412`, async () => {
    const bodies = Array.from({ length: RACERS }, (_, i) => body({ name: `Creator ${i}`, content: `by ${i}\n` }));
    const answers = await Promise.all(bodies.map((b) => put(server, 'created-once', b, { 'if-none-match': '*' })));
    const won = answers.flatMap((a, i) => (a.status === 201 ? [i] : []));
    expect(won).toHaveLength(1);
    const winner = answers[won[0]!]!;
    for (const a of answers) if (a !== winner) expect([a.status, a.json?.['currentEtag']]).toEqual([412, winner.etag]);
    await put(server, 'created-once', body({ content: 'replaced\n' }));
    expect((await del(server, 'created-once', { 'if-match': winner.etag! })).status).toBe(412);
    expect((await get(server, 'created-once')).json).toMatchObject({ content: 'replaced\n' });
  }, 60_000);
});
