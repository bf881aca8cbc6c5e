import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from '../../server/test/helpers/server-process.js';
import { answer, fakeServer } from './helpers/fake-server.js';
import { expectOneLineError } from './helpers/one-line-error.js';
import { runSnek } from './helpers/run-snek.js';

// The fast path (`snek [NAME] [--type]`) and the full CLI must find the same config and read answers alike.
const TOKEN = 'paths-token';
// A snek only this server has, so no other server on the machine (say on port 8000) can print it.
const UNIQUE = `paths-${process.pid}-${Date.now()}`;

let dir: TempDir;
let server: ServerProcess;
beforeAll(async () => {
  dir = await tempDir('snek-paths-');
  server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN }) });
  const put = await fetch(`${server.url}/v1/sneks/${UNIQUE}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: UNIQUE, type: 'paths', content: 'only here\n' }) });
  expect(put.status).toBe(201);
});
afterAll(async () => {
  await server.stop();
  killAllServers();
  await dir.cleanup();
});

const snek = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  runSnek(args, { cwd: options.cwd ?? dir.path, env: cleanEnv(dir.path, { SNEK_NO_CACHE: '1', ...options.env }) });
const BOTH_PATHS = [['the fast path', {}], ['the full CLI', { SNEK_CLI_FULL: '1' }]] as const;

describe('both paths find the same config file', () => {
  it.each(BOTH_PATHS)('%s: a "snek" script in package.json is no config, so the .snekrc beside it counts', async (_path, env) => {
    const cwd = path.join(dir.path, 'scripts-snek');
    await dir.write('scripts-snek/package.json', JSON.stringify({ name: 'app', scripts: { snek: 'snek --type cute' } }, null, 2));
    await dir.write('scripts-snek/.snekrc', `client:\n  url: ${server.url}\n`);
    const run = await snek([UNIQUE], { cwd, env });
    expect([run.code, run.stdout.toString(), run.stderr]).toEqual([0, 'only here\n', '']);
  });

  it.each(BOTH_PATHS)('%s: a top-level "snek" key in package.json is the config, before .snekrc', async (_path, env) => {
    const cwd = path.join(dir.path, 'package-snek');
    await dir.write('package-snek/package.json', JSON.stringify({ name: 'app', snek: { client: { url: server.url } } }));
    await dir.write('package-snek/.snekrc', 'client:\n  url: http://127.0.0.1:9\n');
    const run = await snek([UNIQUE], { cwd, env });
    expect([run.code, run.stdout.toString(), run.stderr]).toEqual([0, 'only here\n', '']);
  });
});

describe('an answer that is not from a Snek API exits 6', () => {
  it.each(BOTH_PATHS)('%s: a --url with a wrong path on a real Snek server is not "no such snek"', async (_path, env) => {
    expectOneLineError(await snek([UNIQUE, '--url', `${server.url}/api`], { env }), 6, /is not a Snek API.*check --url/i);
    expectOneLineError(await snek(['--type', 'cute', '--url', `${server.url}/api`], { env }), 6, /is not a Snek API/);
  });

  it.each([
    ['a 404 HTML page', answer(404, 'text/html', '<h1>Not Found</h1>')],
    ['a 404 JSON without a problem code', answer(404, 'application/json', { error: 'not found' })],
    ['a 200 HTML page', answer(200, 'text/html', '<html>welcome</html>')],
    ['a 200 JSON of another shape', answer(200, 'application/json', { hello: 'world' })],
  ])('%s: snek NAME on both paths, list, types and rm exit 6 with one line', async (_what, handler) => {
    const other = await fakeServer(handler);
    try {
      for (const args of [['cute'], ['cute', '--json'], ['list'], ['types'], ['rm', 'cute', '--token', TOKEN]]) {
        expectOneLineError(await snek(args, { env: { SNEK_URL: other.url } }), 6, new RegExp(`${other.url} is not a Snek API.*check --url`, 'i'));
      }
      expectOneLineError(await snek(['cute'], { env: { SNEK_URL: other.url, SNEK_CLI_FULL: '1' } }), 6, /is not a Snek API/);
    } finally {
      await other.close();
    }
  });

  it('a real 404 problem with SNEK_NOT_FOUND still exits 1', async () => {
    expectOneLineError(await snek(['rm', 'never-there', '--url', server.url, '--token', TOKEN]), 1, /There is no snek "never-there"/);
  });
});

describe('with client.url unset, the CLI talks to server.host and server.port', () => {
  it('a .snekrc with only a server section leads snek, list and config to that server', async () => {
    const port = new URL(server.url).port;
    const file = await dir.write('server-only/.snekrc', `server:\n  host: 0.0.0.0\n  port: ${port}\n`);
    const cwd = path.dirname(file);
    const run = await snek([UNIQUE], { cwd });
    expect([run.code, run.stdout.toString(), run.stderr]).toEqual([0, 'only here\n', '']);
    expect((await snek(['list', '--type', 'paths'], { cwd })).stdout.toString()).toBe(`${UNIQUE}  ${UNIQUE} (paths)\n`);
    const config = await snek(['config'], { cwd });
    expect(config.stdout.toString()).toContain(`client.url    http://localhost:${port}  (from server.host (file) and server.port (file))`);
  });

  it('SNEK_PORT counts too, on both paths', async () => {
    const port = new URL(server.url).port;
    for (const env of [{}, { SNEK_CLI_FULL: '1' }]) {
      const run = await snek([UNIQUE], { env: { SNEK_PORT: port, ...env } });
      expect([run.code, run.stdout.toString(), run.stderr]).toEqual([0, 'only here\n', '']);
    }
  });

  it('client.url, when set, wins over server.port', async () => {
    const file = await dir.write('both/.snekrc', `server:\n  port: 9\nclient:\n  url: ${server.url}\n`);
    const run = await snek([UNIQUE], { cwd: path.dirname(file) });
    expect([run.code, run.stdout.toString()]).toEqual([0, 'only here\n']);
  });
});
