import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validate } from '@readme/openapi-parser';
import { ApiContract, type ObservedResponse } from './helpers/api-contract.js';
import { startTestServer, type TestServer } from './helpers/in-process.js';

let server: TestServer;
let document: OpenApi;
beforeAll(async () => {
  server = await startTestServer();
  document = (await (await server.request('/openapi.json')).json()) as OpenApi;
});
afterAll(() => server.stop());

// Every route the app serves; a route added without documenting it fails here.
const ROUTES = [
  ['get', '/v1/sneks'],
  ['get', '/v1/sneks/{id}'],
  ['put', '/v1/sneks/{id}'],
  ['delete', '/v1/sneks/{id}'],
  ['get', '/v1/sneks/{id}/revisions'],
  ['get', '/v1/sneks/{id}/revisions/{seq}'],
  ['post', '/v1/sneks/{id}/revisions/{seq}/restore'],
  ['get', '/v1/changes'],
  ['get', '/v1/types'],
  ['get', '/v1/packs'],
  ['get', '/v1/auth'],
  ['get', '/v1/whoami'],
  ['get', '/sneks'],
  ['get', '/healthz'],
  ['get', '/readyz'],
  ['get', '/openapi.json'],
  ['get', '/docs'],
  ['get', '/'],
  ['get', '/s/{id}'],
  ['get', '/s/{id}/history'],
  ['get', '/v1/changes/stream'],
];
// Answers 200 and never ends: change-stream.test.ts checks it.
const STREAMS = new Set(['/v1/changes/stream']);

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result).toMatchObject({ valid: true, specification: 'OpenAPI', warnings: [] });
    expect((document as unknown as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('documents every route', async () => {
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).filter((k) => k !== 'parameters').map((method) => [method, path]));
    expect(documented.sort()).toEqual([...ROUTES].sort());
  });

  it('every documented GET route without parameters answers 200', async () => {
    for (const [method, path] of ROUTES) {
      if (method === 'get' && !path!.includes('{') && !STREAMS.has(path!)) expect([path, (await server.request(path!)).status]).toEqual([path, 200]);
    }
  });
});

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, { $ref?: string; content?: Record<string, unknown> }>;
}
interface OpenApi {
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, { content?: Record<string, unknown> }> };
}
const operations = () => Object.entries(document.paths).flatMap(([p, item]) => Object.entries(item).filter(([k]) => k !== 'parameters').map(([method, op]) => ({ route: `${method} ${p}`, method, op })));
const resolve = (response: { $ref?: string; content?: Record<string, unknown> }) => (response.$ref ? document.components.responses[response.$ref.split('/').pop()!]! : response);

describe('the description tools consume', () => {
  const REDOCLY = path.join(path.dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')), 'bin/cli.js');
  const CONFIG = fileURLToPath(new URL('../../../redocly.yaml', import.meta.url));

  it('passes `redocly lint` with the recommended rules (redocly.yaml): no error, no warning', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'snek-openapi-'));
    try {
      await writeFile(path.join(dir, 'openapi.json'), JSON.stringify(document));
      // Telemetry and update checks off: the test must not reach past the machine.
      const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' };
      const { stdout } = await promisify(execFile)(process.execPath, [REDOCLY, 'lint', '--config', CONFIG, '--format=json', path.join(dir, 'openapi.json')], { env }).catch((error: { stdout: string }) => error);
      const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; message: string }> };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('names every operation with a unique operationId', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares reads open or bearer, writes and the audit log bearer only, /healthz and /v1/auth open', () => {
    for (const { route, method, op } of operations()) {
      const expected = route === 'get /healthz' || route === 'get /v1/auth' ? [{}] : method === 'get' && route !== 'get /v1/changes' ? [{}, { bearer: [] }] : [{ bearer: [] }];
      expect([route, op.security]).toEqual([route, expected]);
    }
  });

  it('documents 400 and 431 on every operation, 401/403 on every one a private server guards, and every error as problem+json only', () => {
    for (const { route, op } of operations()) {
      const statuses = Object.keys(op.responses);
      expect([route, statuses.filter((s) => ['400', '431'].includes(s))]).toEqual([route, ['400', '431']]);
      // The health checks answer a load balancer without a token, on any server; /v1/auth and /v1/whoami answer
      // anyone (whoami refuses only a token that is not valid).
      const guarded = { 'get /healthz': [], 'get /readyz': [], 'get /v1/auth': [], 'get /v1/whoami': ['401'] }[route] ?? ['401', '403'];
      expect([route, statuses.filter((s) => ['401', '403'].includes(s))]).toEqual([route, guarded]);
      for (const [status, response] of Object.entries(op.responses)) {
        // The gallery answers people: its own errors are a page or a line of text.
        if (Number(status) >= 400 && !op.tags?.includes('gallery')) expect([route, status, Object.keys(resolve(response).content ?? {})]).toEqual([route, status, ['application/problem+json']]);
      }
    }
  });

  it('documents 429 with Retry-After on every operation but the health checks, which are never rate limited', () => {
    for (const { route, op } of operations()) {
      const limited = !['get /healthz', 'get /readyz'].includes(route);
      const answer = op.responses['429'] === undefined ? undefined : (resolve(op.responses['429']) as { headers?: Record<string, unknown> });
      expect([route, answer !== undefined]).toEqual([route, limited]);
      if (answer) expect([route, Object.keys(answer.headers ?? {})]).toEqual([route, ['Retry-After', 'RateLimit', 'RateLimit-Policy']]);
    }
  });

  it('has a relative server URL that, resolved against where the document came from, reaches the API', async () => {
    expect(document.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    const base = new URL(document.servers[0]!.url, `${server.url}/openapi.json`);
    expect((await fetch(new URL('v1/sneks/cute', base))).status).toBe(200);
  });
});

describe('the response validator every API test goes through', () => {
  let contract: ApiContract;
  let cute: ObservedResponse;
  beforeAll(async () => {
    contract = new ApiContract(document as never);
    const response = await server.request('/v1/sneks/cute');
    cute = { method: 'GET', path: '/v1/sneks/cute', status: response.status, contentType: response.headers.get('content-type')!, body: await response.text() };
  });

  it('passes a real response, exactly as the server sent it', () => {
    expect(contract.problems(cute)).toEqual([]);
  });

  it.each([
    ['an undocumented status', { status: 418 }, /status 418 is not documented/],
    ['an undocumented content type', { contentType: 'text/plain; charset=utf-8' }, /content type text\/plain is not documented/],
    ['a body the schema rejects', { body: '{"id":"cute","name":"cute"}' }, /must have required property 'type'/],
    ['a body that is not JSON', { body: '<html>' }, /the body is not JSON/],
    ['a problem with an unknown code', { status: 404, contentType: 'application/problem+json', body: '{"type":"t","title":"t","status":404,"detail":"d","code":"NOPE"}' }, /code must be equal to one of the allowed values/],
    ['a 200 from a path no operation has', { path: '/v1/secret' }, /no operation for this method and path/],
    ['a body where none is documented', { method: 'DELETE', status: 204 }, /describes no body/],
  ])('fails %s', (_label, change, message) => {
    const problems = contract.problems({ ...cute, ...change });
    expect(problems.join('\n')).toMatch(message);
    expect(() => contract.assert({ ...cute, ...change })).toThrow(/does not match \/openapi\.json/);
  });
});

describe('GET /docs', () => {
  it('serves a page whose scripts and styles come from this server, not a CDN', async () => {
    const page = await (await server.request('/docs')).text();
    const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset.startsWith('/')).toBe(true);
      const response = await server.request(asset);
      expect([asset, response.status]).toEqual([asset, 200]);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(50);
    }
  });

  it('points Swagger UI at /openapi.json', async () => {
    expect(await (await server.request('/docs/init.js')).text()).toContain("'/openapi.json'");
  });
});
