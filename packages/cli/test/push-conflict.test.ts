import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from '../../server/test/helpers/server-process.js';
import { fakeServer } from './helpers/fake-server.js';
import { expectOneLineError } from './helpers/one-line-error.js';
import { runSnek } from './helpers/run-snek.js';

const TOKEN = 'push-token';

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('snek-push-');
});
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
});

const push = (url: string, args: string[], art = 'art\n') => runSnek(['push', '-', '--token', TOKEN, ...args], { cwd: dir.path, env: cleanEnv(dir.path, { SNEK_URL: url }), input: art });

// Needs the server's conditional PUT (If-None-Match: * answered by 412 PRECONDITION_FAILED, issue 16 §3):
// until that is in this tree, the first test fails, as it should.
describe('snek push against a real server never replaces without --replace', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN }) });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('"中文 snek" after "日本語 snek" (both slug to "snek") exits 7 naming the first, which stays', async () => {
    expect((await push(server.url, ['--name', '日本語 snek', '--type', 't'], 'first\n')).stdout.toString()).toBe('created snek\n');
    expectOneLineError(await push(server.url, ['--name', '中文 snek', '--type', 'u'], 'second\n'), 7, /^snek: "snek" already exists \(日本語 snek, type t\); pass --replace to overwrite it\n$/);
    expect(await (await fetch(`${server.url}/v1/sneks/snek`)).json()).toMatchObject({ name: '日本語 snek', type: 't', content: 'first\n' });
  });

  it('--replace overwrites it', async () => {
    const replaced = await push(server.url, ['--name', '中文 snek', '--type', 'u', '--replace'], 'second\n');
    expect([replaced.code, replaced.stdout.toString(), replaced.stderr]).toEqual([0, 'replaced snek\n', '']);
    expect(await (await fetch(`${server.url}/v1/sneks/snek`)).json()).toMatchObject({ name: '中文 snek', type: 'u', content: 'second\n' });
    const created = await push(server.url, ['--name', 'Brand New', '--type', 'u', '--replace']);
    expect([created.code, created.stdout.toString()]).toEqual([0, 'created brand-new\n']);
  });
});

describe('snek push and the 412 contract', () => {
  const problem412 = (current: unknown) => JSON.stringify({ type: 'urn:snek:problem:precondition-failed', status: 412, code: 'PRECONDITION_FAILED', detail: 'The snek "snek" already exists.', currentEtag: '"abc"', ...(current === undefined ? {} : { current }) });

  it('sends If-None-Match: * without --replace, and no precondition with it', async () => {
    const recorder = await fakeServer((req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'x', name: 'x', type: 't', content: 'art\n' }));
      req.resume();
    });
    try {
      expect((await push(recorder.url, ['--name', 'x', '--type', 't'])).code).toBe(0);
      expect((await push(recorder.url, ['--name', 'x', '--type', 't', '--replace'])).code).toBe(0);
      expect(recorder.requests.map((r) => [r.method, r.headers['if-none-match'], r.headers['if-match']])).toEqual([
        ['PUT', '*', undefined],
        ['PUT', undefined, undefined],
      ]);
    } finally {
      await recorder.close();
    }
  });

  it("names the snek from the 412's current", async () => {
    const conflict = await fakeServer((req, res) => {
      res.writeHead(412, { 'content-type': 'application/problem+json' }).end(problem412({ id: 'snek', name: '日本語 snek', type: 't' }));
      req.resume();
    });
    try {
      expectOneLineError(await push(conflict.url, ['--name', '中文 snek', '--type', 'u']), 7, /^snek: "snek" already exists \(日本語 snek, type t\); pass --replace to overwrite it\n$/);
      expect(conflict.requests.map((r) => r.method)).toEqual(['PUT']);
    } finally {
      await conflict.close();
    }
  });

  it('without current in the 412, asks for the snek to name it', async () => {
    const conflict = await fakeServer((req, res) => {
      if (req.method === 'GET') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'snek', name: '日本語 snek', type: 't', content: 'first\n' }));
      res.writeHead(412, { 'content-type': 'application/problem+json' }).end(problem412(undefined));
      req.resume();
    });
    try {
      expectOneLineError(await push(conflict.url, ['--name', '中文 snek', '--type', 'u', '--json']), 7, /^snek: "snek" already exists \(日本語 snek, type t\); pass --replace to overwrite it\n$/);
      expect(conflict.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['PUT /v1/sneks/snek', 'GET /v1/sneks/snek']);
    } finally {
      await conflict.close();
    }
  });
});
