import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validate } from '@readme/openapi-parser';
import { startTestServer, type TestServer } from './helpers/in-process.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

// Every route the app serves; a route added without documenting it fails here.
const ROUTES = [
  ['get', '/v1/sneks'],
  ['get', '/v1/sneks/{id}'],
  ['put', '/v1/sneks/{id}'],
  ['delete', '/v1/sneks/{id}'],
  ['get', '/v1/types'],
  ['get', '/sneks'],
  ['get', '/healthz'],
  ['get', '/readyz'],
  ['get', '/openapi.json'],
  ['get', '/docs'],
];

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const document = await (await server.request('/openapi.json')).json();
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result).toMatchObject({ valid: true, specification: 'OpenAPI', warnings: [] });
    expect((document as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('documents every route', async () => {
    const document = (await (await server.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).filter((k) => k !== 'parameters').map((method) => [method, path]));
    expect(documented.sort()).toEqual([...ROUTES].sort());
  });

  it('every documented GET route without parameters answers 200', async () => {
    for (const [method, path] of ROUTES) {
      if (method === 'get' && !path!.includes('{')) expect([path, (await server.request(path!)).status]).toEqual([path, 200]);
    }
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
