import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { runSnek } from '../../cli/test/helpers/run-snek.js';
import { apiFetch, contractOf, type ApiContract } from './helpers/api-contract.js';
import { startTestServer, type TestServer } from './helpers/in-process.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from './helpers/server-process.js';

const READER = 'private-reader-secret';
const WRITER = 'private-writer-secret';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
// The reader's token is kept as a hash, the writer's in an environment variable: no secret in the file.
const SNEKRC = `server:
  store: memory
  auth:
    read: token
    tokens:
      - { name: reader, sha256: ${sha256(READER)}, scopes: [read] }
      - { name: writer, env: PRIVATE_WRITER, scopes: [read, write] }
`;

// Every route that reads; only the health checks are open on a private server.
const READ_ROUTES = ['/v1/sneks', '/v1/sneks/cute', '/v1/sneks/cute/revisions', '/v1/types', '/sneks?name=cute', '/openapi.json', '/docs', '/docs/init.js', '/docs/assets/swagger-ui.css'];

let dir: TempDir;
let server: ServerProcess;
let contract: ApiContract;
beforeAll(async () => {
  dir = await tempDir('snek-private-');
  await dir.write('.snekrc', SNEKRC);
  server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path, { PRIVATE_WRITER: WRITER }) });
  contract = await contractOf(server.url, READER);
});
afterAll(async () => {
  await server.stop();
  killAllServers();
  await dir.cleanup();
});

// Every answer must also be one /openapi.json describes.
const get = (path: string, token?: string) => apiFetch(contract, server.url, path, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('read: token (a private deployment)', () => {
  it.each(READ_ROUTES)('GET %s answers 401 without a token, 401 with a wrong one, 200 with a read token', async (route) => {
    const anonymous = await get(route);
    expect([anonymous.status, anonymous.headers.get('content-type')]).toEqual([401, expect.stringMatching(/^application\/problem\+json/)]);
    expect(((await anonymous.json()) as { detail: string }).detail).toContain('read scope');
    expect((await get(route, 'wrong')).status).toBe(401);
    expect((await get(route, READER)).status).toBe(200);
    expect((await get(route, WRITER)).status).toBe(200);
  });

  it('leaves /healthz and /readyz open, with the status alone', async () => {
    expect(await (await get('/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await get('/readyz')).json()).toEqual({ status: 'ready' });
    expect(await (await get('/readyz', READER)).json()).toEqual({ status: 'ready', store: 'memory' });
  });

  it('answers a write with a read-only token 403, naming the missing scope; the writer may write', async () => {
    const body = JSON.stringify({ name: 'p', type: 'p', content: 'p' });
    const denied = await apiFetch(contract, server.url, '/v1/sneks/p', { method: 'PUT', body, headers: { authorization: `Bearer ${READER}`, 'content-type': 'application/json' } });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { detail: string; scope: string }).scope).toBe('write');
    const allowed = await apiFetch(contract, server.url, '/v1/sneks/p', { method: 'PUT', body, headers: { authorization: `Bearer ${WRITER}`, 'content-type': 'application/json' } });
    expect(allowed.status).toBe(201);
  });

  it('the CLI reads with SNEK_TOKEN, and without a token exits 5 with one line', async () => {
    const env = cleanEnv(dir.path, { SNEK_URL: server.url });
    const ok = await runSnek(['--type', 'cute'], { cwd: dir.path, env: { ...env, SNEK_TOKEN: READER } });
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    const denied = await runSnek(['--type', 'cute'], { cwd: dir.path, env });
    expect(denied.code).toBe(5);
    expect(denied.stderr).toMatch(/^snek: This request needs a bearer token with the read scope\. [^\n]*\n$/);
    const push = await runSnek(['push', '-', '--name', 'x', '--type', 'x', '--token', READER], { cwd: dir.path, env, input: 'x\n' });
    expect(push.code).toBe(5);
    expect(push.stderr).toContain('needs write');
  });

  it('never writes a token to the log', async () => {
    await get('/v1/sneks', 'a-wrong-token-value');
    const { stdout, stderr } = server.output();
    for (const secret of [READER, WRITER, 'a-wrong-token-value']) expect(stdout + stderr).not.toContain(secret);
    expect(stdout).toContain('"token":"reader"');
  });
});

describe('safe defaults', () => {
  let open: TestServer;
  beforeAll(async () => {
    open = await startTestServer({ snekrc: 'server:\n  store: memory\n  cors: [https://sneks.example]\n' });
  });
  afterAll(() => open.stop());

  it('sends security headers and no x-powered-by', async () => {
    const response = await open.request('/v1/sneks/cute');
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('strict-transport-security')).toBeTruthy();
  });

  it('allows CORS only for origins in the allow-list', async () => {
    expect((await open.request('/v1/sneks', { headers: { origin: 'https://sneks.example' } })).headers.get('access-control-allow-origin')).toBe('https://sneks.example');
    expect((await open.request('/v1/sneks', { headers: { origin: 'https://evil.example' } })).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets an allowed origin send the conditional-write headers in a preflight', async () => {
    // Plain fetch: a preflight is CORS's answer, not an operation of the API description.
    const preflight = await fetch(`${open.url}/v1/sneks/cute`, { method: 'OPTIONS', headers: { origin: 'https://sneks.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'if-match' } });
    expect(preflight.headers.get('access-control-allow-headers')?.split(',')).toEqual(expect.arrayContaining(['if-match', 'if-none-match', 'authorization', 'content-type']));
  });

  it('has CORS off when no allow-list is configured', async () => {
    const plain = await startTestServer();
    try {
      expect((await plain.request('/v1/sneks', { headers: { origin: 'https://sneks.example' } })).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await plain.stop();
    }
  });

  it('binds to 127.0.0.1 by default', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });
});
