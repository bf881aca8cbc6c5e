import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, runServerToExit, startServerProcess } from '../../server/test/helpers/server-process.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { startTcpProxy } from './helpers/tcp-proxy.js';
import { dropSchemas, uniqueSchema } from './helpers/test-schemas.js';

// The real snek-server on the postgres store: what its logs show, how it starts and how it answers when PostgreSQL goes.
const available = await pgAvailable();
const PASSWORD = 'Pw-in-url-7d3f';
const schemas: string[] = [];
let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('snek-pg-server-');
});
afterEach(() => killAllServers());
afterAll(async () => {
  await dir?.cleanup();
  if (available) await dropSchemas(schemas);
});

function snekrc(options: string, storeTimeout = 10): string {
  const schema = uniqueSchema('server');
  schemas.push(schema);
  return `server:\n  storeTimeout: ${storeTimeout}\n  store: { use: postgres, options: { schema: ${schema}, ${options} } }\n`;
}

/** TEST_PG_URL with a password in it; PostgreSQL's trust auth never asks for it, so only our own output could show it. */
function urlWithPassword(port?: number): string {
  const url = new URL(TEST_PG_URL);
  url.password = PASSWORD;
  if (port !== undefined) url.port = String(port);
  return url.href;
}

(available ? describe : describe.skip)('snek-server on the postgres store', () => {
  it('serves from a url in .snekrc, and neither its log nor verify-store ever shows the password', async () => {
    const home = `${dir.path}/in-file`;
    await dir.write('in-file/.snekrc', snekrc(`url: "${urlWithPassword()}"`));
    const server = await startServerProcess({ cwd: home, env: cleanEnv(home, { SNEK_ADMIN_TOKEN: 't' }) });
    // The store's details in /readyz go only to a read token.
    const ready = await fetch(`${server.url}/readyz`, { headers: { authorization: 'Bearer t' } });
    expect([ready.status, await ready.json()]).toEqual([200, expect.objectContaining({ status: 'ready', store: 'postgres', database: new URL(TEST_PG_URL).pathname.slice(1) })]);
    expect(await server.stop()).toBe(0);
    const verify = await runServerToExit({ cwd: home, env: cleanEnv(home), args: ['verify-store'] });
    expect(verify.code).toBe(0);
    const { stdout, stderr } = server.output();
    expect(stdout).toContain('store \\"postgres\\" open');
    for (const text of [stdout, stderr, verify.stdout, verify.stderr]) expect(text).not.toContain(PASSWORD);
  });

  it('reads the url from the variable urlEnv names, so the password stays out of .snekrc', async () => {
    const home = `${dir.path}/from-env`;
    await dir.write('from-env/.snekrc', snekrc('urlEnv: SNEK_PG_URL'));
    const server = await startServerProcess({ cwd: home, env: cleanEnv(home, { SNEK_PG_URL: urlWithPassword() }) });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(await server.stop()).toBe(0);
    expect(JSON.stringify(server.output())).not.toContain(PASSWORD);
  });

  it('with nothing listening, retries until storeTimeout, then exits with STORE_INIT_FAILED naming host, port and database, not the password', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 1 });
    await proxy.close();
    const home = `${dir.path}/nothing`;
    await dir.write('nothing/.snekrc', snekrc(`url: "${urlWithPassword(proxy.port)}"`, 2));
    const run = await runServerToExit({ cwd: home, env: cleanEnv(home) });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(new RegExp(`^snek-server: STORE_INIT_FAILED: Cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${proxy.port}, database "${new URL(TEST_PG_URL).pathname.slice(1)}" as user "\\w+" \\([2-9]\\d* attempts in`));
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  });

  it('answers 503 while PostgreSQL is gone, stays up, and serves again once it is back', async () => {
    const { hostname, port } = new URL(TEST_PG_URL);
    const proxy = await startTcpProxy({ host: hostname, port: Number(port || 5432) });
    try {
      const home = `${dir.path}/outage`;
      await dir.write('outage/.snekrc', snekrc(`url: "${urlWithPassword(proxy.port)}", connectTimeout: 2, statementTimeout: 2`));
      const server = await startServerProcess({ cwd: home, env: cleanEnv(home) });
      expect((await fetch(`${server.url}/v1/sneks/cute`)).status).toBe(200);
      await proxy.cut();
      // A snek it has not read answers 503 at once; the one in its read cache is served for at most
      // server.cache.maxStaleMs (1 s by default) after the change log was last read, then answers 503 too.
      const [ready, snek] = await Promise.all([fetch(`${server.url}/readyz`), fetch(`${server.url}/v1/sneks/fancy`)]);
      expect([ready.status, snek.status, ready.headers.get('content-type')]).toEqual([503, 503, expect.stringContaining('application/problem+json')]);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await fetch(`${server.url}/v1/sneks/cute`)).status).toBe(503);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      await proxy.restore();
      // The pool drops the broken connections and opens new ones; no restart.
      let status = 0;
      for (let tries = 0; tries < 20 && status !== 200; tries++) status = (await fetch(`${server.url}/v1/sneks/cute`)).status;
      expect(status).toBe(200);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      expect(await server.stop()).toBe(0);
      expect(JSON.stringify(server.output())).not.toContain(PASSWORD);
    } finally {
      await proxy.close();
    }
  });
});
