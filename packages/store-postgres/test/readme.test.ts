import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from '@jest/globals';
import { tempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess } from '../../server/test/helpers/server-process.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { dropSchemas, uniqueSchema } from './helpers/test-schemas.js';

const README = await readFile(new URL('../README.md', import.meta.url), 'utf8');
const available = await pgAvailable();
const schema = uniqueSchema('readme');
afterAll(async () => {
  killAllServers();
  if (available) await dropSchemas([schema]);
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
    for (const option of ['url', 'urlEnv', 'schema', 'pool.max', 'connectTimeout', 'statementTimeout']) expect(README).toContain(`| \`${option}\` |`);
    expect(() => postgresSettings({ url: TEST_PG_URL, schema: 's', pool: { max: 1 }, connectTimeout: 1, statementTimeout: 1 })).not.toThrow();
  });
});
