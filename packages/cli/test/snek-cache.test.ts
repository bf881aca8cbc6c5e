import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { untilOutput } from '../../server/test/helpers/server-output.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from '../../server/test/helpers/server-process.js';
import { CACHE_MAX_BYTES } from '../src/snek-cache.js';
import { runSnek } from './helpers/run-snek.js';

const TOKEN = 'cache-test-token-7f3a9c';
// Each test starts a server and runs snek several times; a loaded machine needs more than the default 30 s.
jest.setTimeout(90_000);
const OFFLINE_LINE = /^snek: the snek server at http:\/\/127\.0\.0\.1:\d+ cannot be reached; printed from the cache, \d+ seconds? old\n$/;

const dirs: TempDir[] = [];
const servers: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  killAllServers();
  await Promise.all(dirs.map((d) => d.cleanup()));
});

/** A real snek-server, and `snek` against it with its own cache folder ($XDG_CACHE_HOME/snek), or `sharedCache`. */
async function site(sharedCache?: string) {
  const dir = await tempDir('snek-cache-');
  dirs.push(dir);
  // The memory store: what is cached does not depend on the store. Its .snekrc sits in the server's own folder,
  // since snek leaves a config with a server section to the full CLI.
  const serverDir = path.dirname(await dir.write('server/.snekrc', 'server:\n  store: memory\n'));
  const server = await startServerProcess({ cwd: serverDir, env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN }) });
  servers.push(server);
  const cache = sharedCache ?? path.join(dir.path, 'xdg-cache', 'snek');
  const snek = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    runSnek(args, { cwd: dir.path, env: cleanEnv(dir.path, { SNEK_URL: server.url, XDG_CACHE_HOME: path.dirname(cache), ...extra }) });
  const files = async () => (await readdir(cache).catch(() => [] as string[])).map((name) => path.join(cache, name));
  const put = async (id: string, body: object) => {
    const response = await fetch(`${server.url}/v1/sneks/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.ok).toBe(true);
  };
  /** The statuses the server logged for GET /v1/sneks?name=NAME, in order. */
  const statuses = async (name: string, count: number): Promise<number[]> => {
    const url = `/v1/sneks?name=${encodeURIComponent(name)}&limit=500`;
    const logged = () => server.output().stdout.split('\n').filter((line) => line.includes(`"url":${JSON.stringify(url)}`)).map((line) => (JSON.parse(line) as { status: number }).status);
    // The server writes its log asynchronously: wait for the lines as they come, and fail on a server that
    // dies or never logs them.
    await untilOutput(server, `${count} log lines for GET ${url}`, () => logged().length >= count);
    return logged();
  };
  /** The art the server serves for `id`, as `snek` should print it. */
  const art = async (id: string) => ((await (await fetch(`${server.url}/v1/sneks/${id}`)).json()) as { content: string }).content;
  return { dir, server, cache, snek, files, put, statuses, art };
}

describe('snek NAME with the server stopped', () => {
  it('prints the cached art, with one stderr line saying how old it is, and exits 0 (fast and full CLI)', async () => {
    const { server, snek, files, art } = await site();
    const cute = await art('cute');
    expect((await snek(['cute'])).stdout.toString()).toBe(cute);
    await server.stop();
    for (const extra of [{}, { SNEK_CLI_FULL: '1' }]) {
      const run = await snek(['cute'], extra);
      expect([run.code, run.stdout.toString()]).toEqual([0, cute]);
      expect(run.stderr).toMatch(OFFLINE_LINE);
    }
    const [file] = await files();
    const threeHoursAgo = new Date(Date.now() - 3 * 3600_000);
    await utimes(file!, threeHoursAgo, threeHoursAgo);
    const aged = await snek(['cute']);
    expect(aged.stderr).toMatch(/; printed from the cache, 3 hours old\n$/);
    // The README quotes this line, for a server at the default URL.
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`\`${aged.stderr.trim().replace(server.url, 'http://localhost:8000')}\``);
    const json = await snek(['cute', '--json']);
    expect([json.code, JSON.parse(json.stdout.toString())]).toEqual([0, [{ id: 'cute', name: 'cute', type: 'cute', content: cute }]]);
  });

  it('with nothing cached for that name, fails as before: exit 4', async () => {
    const { server, snek } = await site();
    await snek(['fancy']);
    await server.stop();
    const run = await snek(['cute']);
    expect([run.code, run.stdout.toString()]).toEqual([4, '']);
    expect(run.stderr).toMatch(/^snek: cannot reach the snek server at [^\n]+: is it running\? Start it with snek-server\n$/);
  });

  it('a snek found by its id is cached too', async () => {
    const { server, snek, put } = await site();
    await put('only-by-id', { name: 'Some Other Name', type: 'odd', content: 'by id\n' });
    expect((await snek(['only-by-id'])).stdout.toString()).toBe('by id\n');
    await server.stop();
    const run = await snek(['only-by-id']);
    expect([run.code, run.stdout.toString()]).toEqual([0, 'by id\n']);
    expect(run.stderr).toMatch(OFFLINE_LINE);
  });

  it('keeps entries per server URL', async () => {
    const a = await site();
    const b = await site(a.cache);
    const cute = await a.art('cute');
    await b.put('cute', { name: 'cute', type: 'cute', content: 'the cute of B\n' });
    expect((await a.snek(['cute'])).stdout.toString()).toBe(cute);
    expect((await b.snek(['cute'])).stdout.toString()).toBe('the cute of B\n');
    expect(await a.files()).toHaveLength(2);
    await Promise.all([a.server.stop(), b.server.stop()]);
    expect((await a.snek(['cute'])).stdout.toString()).toBe(cute);
    expect((await b.snek(['cute'])).stdout.toString()).toBe('the cute of B\n');
  });
});

describe('revalidation', () => {
  it('a repeated snek cute sends If-None-Match and gets a 304 (no body), in the fast and the full CLI', async () => {
    const { snek, statuses, art } = await site();
    const cute = await art('cute');
    for (const extra of [{}, { SNEK_CLI_FULL: '1' }]) expect((await snek(['cute'], extra)).stdout.toString()).toBe(cute);
    expect(await statuses('cute', 2)).toEqual([200, 304]);
    // --debug goes to the full CLI, which revalidates the same way.
    expect((await snek(['cute', '--debug'])).stdout.toString()).toBe(cute);
    expect(await statuses('cute', 3)).toEqual([200, 304, 304]);
  });

  it('a changed snek is fetched whole and replaces the cached one', async () => {
    const { snek, put, statuses } = await site();
    await snek(['cute']);
    await put('cute', { name: 'cute', type: 'cute', content: 'new cute\n' });
    expect((await snek(['cute'])).stdout.toString()).toBe('new cute\n');
    expect((await snek(['cute'])).stdout.toString()).toBe('new cute\n');
    expect(await statuses('cute', 3)).toEqual([200, 200, 304]);
  });
});

describe('cache files', () => {
  it('a corrupt file is ignored and replaced, never fatal', async () => {
    const { snek, files, statuses, art } = await site();
    const cute = await art('cute');
    await snek(['cute']);
    const [file] = await files();
    await writeFile(file!, '{"format":1,"sneks":[{"id":');
    const run = await snek(['cute']);
    expect([run.code, run.stdout.toString(), run.stderr]).toEqual([0, cute, '']);
    expect(await statuses('cute', 2)).toEqual([200, 200]);
    expect(JSON.parse(await readFile(file!, 'utf8'))).toMatchObject({ format: 1, name: 'cute', sneks: [{ id: 'cute' }] });
  });

  it("another version's file is ignored (online and offline) and replaced", async () => {
    const { server, snek, files, art } = await site();
    const cute = await art('cute');
    await snek(['cute']);
    const [file] = await files();
    const entry = JSON.parse(await readFile(file!, 'utf8')) as { format: number; sneks: Array<{ content: string }> };
    const otherVersion = JSON.stringify({ ...entry, format: 2, sneks: [{ ...entry.sneks[0], content: 'from another version\n' }] });
    await writeFile(file!, otherVersion);
    expect((await snek(['cute'])).stdout.toString()).toBe(cute);
    expect(JSON.parse(await readFile(file!, 'utf8'))).toMatchObject({ format: 1 });
    await writeFile(file!, otherVersion);
    await server.stop();
    const offline = await snek(['cute']);
    expect([offline.code, offline.stdout.toString()]).toEqual([4, '']);
  });

  it(`stays under ${CACHE_MAX_BYTES} bytes, dropping the entries confirmed longest ago first`, async () => {
    const { snek, cache, files } = await site();
    await snek(['cute']);
    // Five old 1.2 MB files, oldest first: with the next entry the folder holds over 6 MB.
    const filler = Array.from({ length: 5 }, (_, i) => path.join(cache, `old-${i}.json`));
    for (const [i, file] of filler.entries()) {
      await writeFile(file, 'x'.repeat(1_200_000));
      const when = new Date(Date.now() - (10 - i) * 3600_000);
      await utimes(file, when, when);
    }
    expect((await snek(['fancy'])).code).toBe(0);
    const left = await files();
    expect(left).not.toContain(filler[0]);
    expect(left).toEqual(expect.arrayContaining(filler.slice(1)));
    expect(left).toHaveLength(6);
    const sizes = await Promise.all(left.map(async (file) => (await stat(file)).size));
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(CACHE_MAX_BYTES);
  });

  it('holds sneks, never the token', async () => {
    const { snek, files } = await site();
    await snek(['cute', '--token', TOKEN]);
    await snek(['fancy'], { SNEK_TOKEN: TOKEN, SNEK_CLI_FULL: '1' });
    const contents = await Promise.all((await files()).map((file) => readFile(file, 'utf8')));
    expect(contents).toHaveLength(2);
    for (const text of contents) expect(text).not.toContain(TOKEN);
  });
});

describe('turning it off, and clearing it', () => {
  it('--no-cache and SNEK_NO_CACHE=1 neither read nor write the cache (fast and full CLI)', async () => {
    const { server, snek, files, art } = await site();
    const cute = await art('cute');
    for (const [args, extra] of [[['cute', '--no-cache'], {}], [['cute'], { SNEK_NO_CACHE: '1' }], [['cute', '--no-cache'], { SNEK_CLI_FULL: '1' }]] as const) {
      expect((await snek([...args], extra)).stdout.toString()).toBe(cute);
    }
    expect(await files()).toEqual([]);
    await snek(['cute']);
    await server.stop();
    for (const [args, extra] of [[['cute', '--no-cache'], {}], [['cute'], { SNEK_NO_CACHE: '1' }], [['cute'], { SNEK_NO_CACHE: '1', SNEK_CLI_FULL: '1' }]] as const) {
      expect((await snek([...args], extra)).code).toBe(4);
    }
    expect((await snek(['cute'])).code).toBe(0);
  });

  it('snek cache clear empties the folder', async () => {
    const { server, snek, cache, files } = await site();
    await snek(['cute']);
    await snek(['fancy']);
    const clear = await snek(['cache', 'clear']);
    expect([clear.code, clear.stdout.toString(), clear.stderr]).toEqual([0, `emptied ${cache} (2 files)\n`, '']);
    expect(await files()).toEqual([]);
    await server.stop();
    expect((await snek(['cute'])).code).toBe(4);
    expect((await snek(['cache', 'clear'])).stdout.toString()).toBe(`emptied ${cache} (0 files)\n`);
    expect((await snek(['cache', 'nope'])).code).toBe(2);
  });
});
