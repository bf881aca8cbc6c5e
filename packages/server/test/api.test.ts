import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rawGet, startTestServer, type TestServer } from './helpers/in-process.js';

const shippedArt = (id: string) => readFile(new URL(`../../pack-classic/sneks/${id}.txt`, import.meta.url), 'utf8');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

async function expectProblem(response: Response, status: number, code: string): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: expect.stringMatching(/^urn:snek:problem:/), title: expect.any(String), detail: expect.any(String) });
  return body;
}

describe('GET /v1/sneks/:id', () => {
  it('serves the bootstrapped cute snek byte for byte, with an ETag', async () => {
    const response = await server.request('/v1/sneks/cute');
    expect(response.status).toBe(200);
    // Seeded at start by the server itself: a change with no one behind it.
    expect(await response.json()).toEqual({ id: 'cute', name: 'cute', type: 'cute', content: await shippedArt('cute'), updatedAt: expect.any(String), updatedBy: null });
    expect(response.headers.get('etag')).toBeTruthy();
  });

  it('answers 304 to If-None-Match with the current ETag, and 200 after a change', async () => {
    await server.request('/v1/sneks/etag-me', { method: 'PUT', json: { name: 'e', type: 't', content: 'v1' } });
    const etag = (await server.request('/v1/sneks/etag-me')).headers.get('etag')!;
    expect((await server.request('/v1/sneks/etag-me', { headers: { 'if-none-match': etag } })).status).toBe(304);
    await server.request('/v1/sneks/etag-me', { method: 'PUT', json: { name: 'e', type: 't', content: 'v2' } });
    expect((await server.request('/v1/sneks/etag-me', { headers: { 'if-none-match': etag } })).status).toBe(200);
  });

  it('answers 404 problem+json for a missing snek', async () => {
    await expectProblem(await server.request('/v1/sneks/no-such-snek'), 404, 'SNEK_NOT_FOUND');
  });

  it('answers 400 problem+json for an id that is not a slug', async () => {
    for (const id of ['UPPER', '..', '%2e%2e', '%2e%2e%2fetc', 'a%5Cb', 'a%00b', 'x'.repeat(65)]) {
      const response = await rawGet(server.url, `/v1/sneks/${id}`);
      expect([response.status, response.contentType, JSON.parse(response.body).code]).toEqual([400, 'application/problem+json; charset=utf-8', 'SNEK_INVALID']);
      await server.expectDocumented({ method: 'GET', path: `/v1/sneks/${id}`, ...response });
    }
  });
});

describe('PUT, GET, list and DELETE', () => {
  it('round-trips a snek: 201, 200 on replace, listed, 204, then 404', async () => {
    const body = { name: 'Round Trip', type: 'roundtrip', content: '  trailing spaces  \n\ttab \\ "quotes" ünïcödé 🐍\n' };
    const created = await server.request('/v1/sneks/round-trip', { method: 'PUT', json: body });
    expect(created.status).toBe(201);
    const meta = { updatedAt: expect.any(String), updatedBy: { kind: 'token', name: 'SNEK_ADMIN_TOKEN' } };
    expect(await created.json()).toEqual({ id: 'round-trip', ...body, ...meta });
    expect((await server.request('/v1/sneks/round-trip', { method: 'PUT', json: { ...body, content: 'v2' } })).status).toBe(200);
    expect(await (await server.request('/v1/sneks/round-trip')).json()).toEqual({ id: 'round-trip', ...body, content: 'v2', ...meta });
    const listed = (await (await server.request('/v1/sneks?type=roundtrip')).json()) as { items: unknown[]; nextCursor: unknown };
    expect(listed).toEqual({ items: [{ id: 'round-trip', ...body, content: 'v2', ...meta }], nextCursor: null, prevCursor: null, offset: 0, total: 1 });
    expect((await server.request('/v1/sneks/round-trip', { method: 'DELETE' })).status).toBe(204);
    await expectProblem(await server.request('/v1/sneks/round-trip'), 404, 'SNEK_NOT_FOUND');
    await expectProblem(await server.request('/v1/sneks/round-trip', { method: 'DELETE' }), 404, 'SNEK_NOT_FOUND');
  });

  it('pages through 250 sneks, visiting each exactly once in id order', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `page-${String(i).padStart(3, '0')}`);
    await Promise.all(ids.map((id) => server.request(`/v1/sneks/${id}`, { method: 'PUT', json: { name: id, type: 'paged', content: id } })));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/sneks?type=paged&limit=40${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = (await (await server.request(query)).json()) as { items: Array<{ id: string }>; nextCursor: string | null };
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });

  it('filters by name and by type', async () => {
    const byName = (await (await server.request('/v1/sneks?name=fancy')).json()) as { items: Array<{ id: string }> };
    expect(byName.items.map((s) => s.id)).toEqual(['fancy']);
    const both = (await (await server.request('/v1/sneks?name=cute&type=fancy')).json()) as { items: unknown[] };
    expect(both.items).toEqual([]);
  });

  it('accepts an id in the body only when it matches the URL', async () => {
    expect((await server.request('/v1/sneks/same', { method: 'PUT', json: { id: 'same', name: 's', type: 't', content: 'c' } })).status).toBe(201);
    await expectProblem(await server.request('/v1/sneks/same', { method: 'PUT', json: { id: 'other', name: 's', type: 't', content: 'c' } }), 400, 'SNEK_INVALID');
  });
});

describe('bad requests get 4xx problem+json and change nothing', () => {
  it('malformed JSON → 400', async () => {
    const response = await server.request('/v1/sneks/cute', { method: 'PUT', body: '{"name": ', headers: { 'content-type': 'application/json' } });
    await expectProblem(response, 400, 'REQUEST_INVALID');
    expect(((await (await server.request('/v1/sneks/cute')).json()) as { content: string }).content).toBe(await shippedArt('cute'));
  });

  it('a wrong type or a missing field → 400 naming the field', async () => {
    const wrongType = await expectProblem(await server.request('/v1/sneks/x', { method: 'PUT', json: { name: 1, type: 't', content: 'c' } }), 400, 'SNEK_INVALID');
    expect(wrongType['detail']).toContain('name');
    const missing = await expectProblem(await server.request('/v1/sneks/x', { method: 'PUT', json: { name: 'n', type: 't' } }), 400, 'SNEK_INVALID');
    expect(missing['errors']).toEqual([expect.objectContaining({ path: 'content' })]);
  });

  it('a body that is not JSON → 415', async () => {
    await expectProblem(await server.request('/v1/sneks/x', { method: 'PUT', body: 'name=x', headers: { 'content-type': 'text/plain' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a body over 128 KiB → 413', async () => {
    await expectProblem(await server.request('/v1/sneks/x', { method: 'PUT', json: { name: 'n', type: 't', content: 'x'.repeat(200 * 1024) } }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('art with control characters or ANSI escapes → 400', async () => {
    await expectProblem(await server.request('/v1/sneks/x', { method: 'PUT', json: { name: 'n', type: 't', content: '\u001b[31mred' } }), 400, 'SNEK_INVALID');
  });

  it('a garbage cursor, an out-of-range limit or a repeated parameter → 400', async () => {
    await expectProblem(await server.request('/v1/sneks?cursor=garbage'), 400, 'SNEK_INVALID');
    await expectProblem(await server.request('/v1/sneks?limit=0'), 400, 'SNEK_INVALID');
    await expectProblem(await server.request('/v1/sneks?limit=501'), 400, 'SNEK_INVALID');
    await expectProblem(await server.request('/v1/sneks?type=a&type=b'), 400, 'SNEK_INVALID');
  });

  it('an unknown route → 404 problem+json', async () => {
    await expectProblem(await server.request('/v2/whatever'), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('write access', () => {
  it('a write without a token → 401, with a wrong token → 401, and nothing changes', async () => {
    const body = { name: 'n', type: 't', content: 'hacked' };
    await expectProblem(await server.request('/v1/sneks/cute', { method: 'PUT', json: body, token: null }), 401, 'UNAUTHORIZED');
    await expectProblem(await server.request('/v1/sneks/cute', { method: 'PUT', json: body, token: 'wrong' }), 401, 'UNAUTHORIZED');
    await expectProblem(await server.request('/v1/sneks/cute', { method: 'DELETE', token: null }), 401, 'UNAUTHORIZED');
    expect(((await (await server.request('/v1/sneks/cute')).json()) as { content: string }).content).toBe(await shippedArt('cute'));
  });

  it('a server with no write token answers writes 403, saying how to enable them', async () => {
    const readOnly = await startTestServer({ env: { SNEK_ADMIN_TOKEN: '' } });
    try {
      const problem = await expectProblem(await readOnly.request('/v1/sneks/x', { method: 'PUT', json: { name: 'n', type: 't', content: 'c' } }), 403, 'FORBIDDEN');
      expect(problem['detail']).toContain('SNEK_ADMIN_TOKEN');
      expect((await readOnly.request('/v1/sneks/x', { token: null })).status).toBe(404);
    } finally {
      await readOnly.stop();
    }
  });
});

describe("the prototype's GET /sneks", () => {
  it('answers ?name=cute in exactly the prototype shape', async () => {
    const response = await server.request('/sneks?name=cute');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(JSON.stringify({ sneks: { cute: { name: 'cute', content: await shippedArt('cute') } } }));
  });

  it('answers without a name with every snek, name and content only', async () => {
    const { sneks } = (await (await server.request('/sneks')).json()) as { sneks: Record<string, object> };
    expect(Object.keys(sneks)).toEqual(expect.arrayContaining(['normal', 'fancy', 'cute']));
    for (const snek of Object.values(sneks)) expect(Object.keys(snek)).toEqual(['name', 'content']);
  });
});

describe('GET /v1/types', () => {
  it('counts sneks per type, in type order', async () => {
    await server.request('/v1/sneks/typed-1', { method: 'PUT', json: { name: 'a', type: 'zz-counted', content: 'c' } });
    await server.request('/v1/sneks/typed-2', { method: 'PUT', json: { name: 'b', type: 'zz-counted', content: 'c' } });
    const { types } = (await (await server.request('/v1/types')).json()) as { types: Array<{ type: string; count: number }> };
    expect(types).toContainEqual({ type: 'cute', count: 1 });
    expect(types).toContainEqual({ type: 'zz-counted', count: 2 });
    expect(types.map((t) => t.type)).toEqual([...types.map((t) => t.type)].sort());
  });
});

describe('health and request ids', () => {
  it('/healthz and /readyz answer 200; /readyz names the store', async () => {
    expect(await (await server.request('/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await server.request('/readyz')).json()).toEqual({ status: 'ready', store: 'memory' });
  });

  it('echoes a safe x-request-id and puts it in problems', async () => {
    const response = await server.request('/v1/sneks/missing-one', { headers: { 'x-request-id': 'trace-123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    expect(((await response.json()) as { requestId: string }).requestId).toBe('trace-123');
  });

  it('does not send x-powered-by', async () => {
    expect((await server.request('/healthz')).headers.get('x-powered-by')).toBeNull();
  });
});
