import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SLUG_PATTERN, slugSchema, snekBodySchema, type Snek } from '@snek/core';
import { eachPage } from '../src/store-scan.js';
import { startTestServer, type TestServer } from './helpers/in-process.js';
import { rawRequest, type RawRequest } from './helpers/raw-http.js';

// 10,000 random requests, valid and not, authorised and not: none may get a 5xx, and the store must change
// exactly as a plain Map does under the requests that were valid and authorised.
const RUNS = 10_000;
const READER = 'property-reader';
const WRITER = 'property-writer';
const SNEKRC = `server:
  store: memory
  auth:
    read: token
    tokens:
      - { name: reader, env: PROPERTY_READER, scopes: [read] }
      - { name: writer, env: PROPERTY_WRITER, scopes: [read, write] }
`;

const idArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('cute', 'fancy', 'normal', 'a', 'a.b', 'x-1', 'z_9') },
  { weight: 2, arbitrary: fc.constantFrom('..', '%2e%2e', '%2e%2e%2fx', 'a%2fb', 'a%5cb', 'A', 'x'.repeat(65), '%zz', 'a%00b', '-a', 'a%20b') },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).filter((s) => s.length > 0).map(encodeURIComponent) },
);
const tokenArb = fc.constantFrom(undefined, 'wrong-token', READER, WRITER);
const nameArb = fc.oneof(fc.constantFrom('Sid', 'Kaa', 'Nagini 🐍'), fc.string({ maxLength: 110 }));
const typeArb = fc.oneof(fc.constantFrom('cute', 'fancy', 'plain'), fc.string({ maxLength: 8 }));
const contentArb = fc.oneof(fc.constantFrom('~~~<\n', '\tart \\ "q"\n'), fc.string({ maxLength: 60, unit: 'grapheme' }), fc.string({ maxLength: 20, unit: 'binary' }));
const validishBody = fc.record({ name: nameArb, type: typeArb, content: contentArb, id: fc.option(idArb, { nil: undefined }) }, { requiredKeys: ['name', 'type', 'content'] });
const bodyArb = fc.oneof(
  { weight: 6, arbitrary: validishBody.map((body) => JSON.stringify(body)) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.anything().map((value) => JSON.stringify(value) ?? 'undefined') },
  { weight: 1, arbitrary: fc.string() },
);
const queryArb = fc
  .record({ name: nameArb, type: typeArb, limit: fc.oneof(fc.integer({ min: -2, max: 600 }).map(String), fc.string({ maxLength: 4 })), cursor: fc.string({ maxLength: 12 }) }, { requiredKeys: [] })
  .map((query) => new URLSearchParams(query as Record<string, string>).toString());

type Req =
  | { kind: 'get' | 'delete'; id: string; token: string | undefined }
  | { kind: 'put'; id: string; token: string | undefined; body: string; json: boolean }
  | { kind: 'list' | 'legacy'; query: string; token: string | undefined }
  | { kind: 'types' | 'unknown'; token: string | undefined };

const reqArb: fc.Arbitrary<Req> = fc.oneof(
  fc.record({ kind: fc.constant('get' as const), id: idArb, token: tokenArb }),
  fc.record({ kind: fc.constant('delete' as const), id: idArb, token: tokenArb }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('put' as const), id: idArb, token: tokenArb, body: bodyArb, json: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)) }) },
  fc.record({ kind: fc.constantFrom('list' as const, 'legacy' as const), query: queryArb, token: tokenArb }),
  fc.record({ kind: fc.constantFrom('types' as const, 'unknown' as const), token: tokenArb }),
);

function toHttp(req: Req): RawRequest {
  const headers: Record<string, string> = req.token ? { authorization: `Bearer ${req.token}` } : {};
  switch (req.kind) {
    case 'get':
      return { method: 'GET', path: `/v1/sneks/${req.id}`, headers };
    case 'delete':
      return { method: 'DELETE', path: `/v1/sneks/${req.id}`, headers };
    case 'put':
      return { method: 'PUT', path: `/v1/sneks/${req.id}`, headers: { ...headers, 'content-type': req.json ? 'application/json' : 'text/plain' }, body: req.body };
    case 'list':
      return { method: 'GET', path: `/v1/sneks?${req.query}`, headers };
    case 'legacy':
      return { method: 'GET', path: `/sneks?${req.query}`, headers };
    case 'types':
      return { method: 'GET', path: '/v1/types', headers };
    case 'unknown':
      return { method: 'GET', path: '/v1/nothing-here', headers };
  }
}

const decode = (raw: string) => {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
};

/** The snek a PUT would store, or undefined when the server must refuse it. */
function acceptedSnek(req: Extract<Req, { kind: 'put' }>): Snek | undefined {
  const id = decode(req.id);
  if (!req.json || id === undefined || !SLUG_PATTERN.test(id)) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(req.body);
  } catch {
    return undefined;
  }
  const parsed = snekBodySchema.extend({ id: slugSchema.optional() }).safeParse(body);
  if (!parsed.success || (parsed.data.id !== undefined && parsed.data.id !== id)) return undefined;
  return { id, name: parsed.data.name, type: parsed.data.type, content: parsed.data.content };
}

let server: TestServer;
const model = new Map<string, Snek>();
const tally = { total: 0, byStatus: new Map<number, number>() };

beforeAll(async () => {
  server = await startTestServer({ snekrc: SNEKRC, env: { SNEK_ADMIN_TOKEN: '', PROPERTY_READER: READER, PROPERTY_WRITER: WRITER }, readToken: READER });
  await eachPage(server.store, {}, (sneks) => sneks.forEach((snek) => model.set(snek.id, snek)));
});
afterAll(() => server.stop());

describe(`${RUNS} random requests`, () => {
  it('never get a 5xx, and change the store exactly as the valid, authorised ones should', async () => {
    await fc.assert(
      fc.asyncProperty(reqArb, async (req) => {
        const http = toHttp(req);
        const response = await rawRequest(server.url, http);
        await server.expectDocumented({ method: http.method, path: http.path, ...response });
        tally.total++;
        tally.byStatus.set(response.status, (tally.byStatus.get(response.status) ?? 0) + 1);
        expect(response.status).toBeLessThan(500);
        const known = req.token === READER || req.token === WRITER;
        if (!known && req.kind !== 'unknown') expect(response.status).toBe(401);
        if (req.kind === 'put' || req.kind === 'delete') {
          const id = decode(req.id);
          const validId = id !== undefined && SLUG_PATTERN.test(id);
          if (req.kind === 'put') {
            const snek = req.token === WRITER ? acceptedSnek(req) : undefined;
            if (snek) {
              expect(response.status).toBe(model.has(snek.id) ? 200 : 201);
              model.set(snek.id, snek);
            } else expect(response.status).toBeGreaterThanOrEqual(400);
          } else if (req.token === WRITER && validId) {
            expect(response.status).toBe(model.has(id!) ? 204 : 404);
            model.delete(id!);
          } else expect(response.status).toBeGreaterThanOrEqual(400);
        }
        const stored = new Map<string, Snek>();
        await eachPage(server.store, {}, (sneks) => sneks.forEach((snek) => stored.set(snek.id, snek)));
        expect(stored).toEqual(model);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(tally.total).toBe(RUNS);
    // The run must have exercised both sides: accepted writes and refusals.
    expect([...tally.byStatus.keys()]).toEqual(expect.arrayContaining([200, 201, 204, 400, 401, 403, 404]));
  }, 600_000);
});
