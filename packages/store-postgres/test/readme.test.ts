import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@snek/core';
import { tempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess } from '../../server/test/helpers/server-process.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import type { PostgresSnekStore } from '../src/index.js';
import { startTcpProxy } from './helpers/tcp-proxy.js';
import { dropSchemas, uniqueSchema, withClient } from './helpers/test-schemas.js';

const README = await readFile(new URL('../README.md', import.meta.url), 'utf8');
const available = await pgAvailable();
const schema = uniqueSchema('readme');
const bouncerSchema = uniqueSchema('readme_bouncer');
afterAll(async () => {
  killAllServers();
  if (available) await dropSchemas([schema, bouncerSchema]);
});

(available ? describe : describe.skip)('the README', () => {
  it("serves from its .snekrc as written, but for the schema's name (each test has its own)", async () => {
    const example = /```yaml\n(# \.snekrc\n[\s\S]*?)```/.exec(README)![1]!;
    expect(example).toContain('schema: snek\n');
    const dir = await tempDir('snek-pg-readme-');
    try {
      await dir.write('.snekrc', example.replace('schema: snek\n', `schema: ${schema}\n`));
      const server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_PG_URL: TEST_PG_URL, SNEK_ADMIN_TOKEN: 't' }) });
      expect(await (await fetch(`${server.url}/readyz`, { headers: { authorization: 'Bearer t' } })).json()).toMatchObject({ status: 'ready', store: 'postgres', schema, pool: { max: 10 } });
      expect(await server.stop()).toBe(0);
    } finally {
      await dir.cleanup();
    }
  });

  it('lists every option the store accepts', async () => {
    const { postgresSettings } = await import('../src/index.js');
    for (const option of ['url', 'urlEnv', 'listenUrl', 'listenUrlEnv', 'schema', 'pool.max', 'connectTimeout', 'statementTimeout']) expect(README).toContain(`| \`${option}\` |`);
    expect(() => postgresSettings({ url: TEST_PG_URL, listenUrl: TEST_PG_URL, schema: 's', pool: { max: 1 }, connectTimeout: 1, statementTimeout: 1 })).not.toThrow();
  });

  it('behind PgBouncer, its .snekrc LISTENs at listenUrlEnv while the pool uses urlEnv', async () => {
    const example = /```yaml\n(# \.snekrc behind PgBouncer\n[\s\S]*?)```/.exec(README)![1]!;
    // A TCP proxy stands for the direct connection, so the test can see which connection goes where.
    const target = new URL(TEST_PG_URL);
    const direct = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const listenUrl = new URL(TEST_PG_URL);
    listenUrl.hostname = '127.0.0.1';
    listenUrl.port = String(direct.port);
    const dir = await tempDir('snek-pg-readme-bouncer-');
    const { default: plugin } = await import('../src/index.js');
    Object.assign(process.env, { SNEK_PG_URL: TEST_PG_URL, SNEK_PG_LISTEN_URL: listenUrl.href });
    try {
      const rc = await dir.write('.snekrc', example.replace('options:\n', `options:\n      schema: ${bouncerSchema}\n`));
      const { config } = await loadConfig({ configPath: rc });
      const store = (await plugin.create(config.server.store.options as never, { configDir: dir.path })) as PostgresSnekStore;
      let wakes = 0;
      await store.watchChanges(() => wakes++);
      await direct.cut();
      const listening = () => withClient(async (client) => (await client.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN %'", [`snek ${bouncerSchema}`])).rowCount);
      for (let tries = 0; (await listening()) !== 0; tries++) {
        if (tries > 300) throw new Error('the listener outlived its connection');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The pool does not go through listenUrl: it still writes.
      expect(await store.put({ id: 'a', name: 'a', type: 't', content: 'a' })).toEqual({ created: true });
      expect(wakes).toBe(1);
      await store.close();
    } finally {
      delete process.env['SNEK_PG_URL'];
      delete process.env['SNEK_PG_LISTEN_URL'];
      await direct.close();
      await dir.cleanup();
    }
  });
});
