import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from './helpers/in-process.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

// The README: a cursor is base64url of "a:" and a slug id, and means "the sneks after that id"; anything else is a 400.
describe.each([
  ['memory', undefined],
  ['sqlite', 'server:\n  store: { use: sqlite, options: { file: ./sneks.db } }\n'],
])('GET /v1/sneks?cursor= on the %s store', (_store, snekrc) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(snekrc === undefined ? {} : { snekrc });
  });
  afterAll(() => server?.stop());

  it('pages on from a hand-made cursor for any slug: it grants nothing a filter would not', async () => {
    const res = await server.request(`/v1/sneks?cursor=${b64('a:cute')}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: { id: string }[] };
    expect(page.items.map((snek) => snek.id)).toEqual(['fancy', 'normal']);
    for (const [id, after] of [['anything', ['cute', 'fancy', 'normal']], ['m', ['normal']], ['zzz', []]] as const) {
      const res = await server.request(`/v1/sneks?cursor=${b64(`a:${id}`)}`);
      expect(((await res.json()) as { items: { id: string }[] }).items.map((snek) => snek.id)).toEqual(after);
    }
  });

  it.each([
    ['an id that is not a slug', b64('a:Not a slug')],
    ['a path', b64('a:../x')],
    ['another prefix', b64('z:cute')],
    ['a non-canonical spelling', `${b64('a:bc').slice(0, -1)}x`],
  ])('answers 400 SNEK_INVALID naming the cursor, for %s', async (_what, cursor) => {
    const res = await server.request(`/v1/sneks?cursor=${cursor}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { code: string; field: string; detail: string };
    expect(problem).toMatchObject({ code: 'SNEK_INVALID', field: 'cursor' });
    expect(problem.detail).toContain('cursor');
  });
});
