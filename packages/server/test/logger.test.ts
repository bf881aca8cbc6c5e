import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { logFormat } from '../src/logger.js';
import { SNEK_SERVER_BIN, cleanEnv, killAllServers, runServerToExit, startServerProcess } from './helpers/server-process.js';

// SNEK_LOG_FORMAT: readable lines for a person at a terminal, JSON lines for everything else.
let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('snek-logger-');
  await dir.write('.snekrc', 'server:\n  store: memory\n');
});
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
});

const PRETTY_LINE = /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: /;
const stripColour = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');
const isJson = (line: string) => {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
};

describe('the log format', () => {
  it('is pretty on a terminal and JSON otherwise; SNEK_LOG_FORMAT overrides both ways', () => {
    expect([logFormat({}, true), logFormat({}, false)]).toEqual(['pretty', 'json']);
    expect([logFormat({ SNEK_LOG_FORMAT: 'json' }, true), logFormat({ SNEK_LOG_FORMAT: 'pretty' }, false)]).toEqual(['json', 'pretty']);
  });

  it('with SNEK_LOG_FORMAT=pretty, prints readable lines, one per request, not JSON', async () => {
    const server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_LOG_FORMAT: 'pretty' }) });
    expect((await fetch(`${server.url}/v1/sneks/cute`)).status).toBe(200);
    expect(await server.stop()).toBe(0);
    const lines = stripColour(server.output().stdout).trim().split('\n');
    expect(lines.find((line) => line.includes('listening on'))).toMatch(new RegExp(`${PRETTY_LINE.source}Snek server listening on ${server.url} `));
    expect(lines.find((line) => line.includes('/v1/sneks/cute'))).toMatch(new RegExp(`${PRETTY_LINE.source}GET /v1/sneks/cute 200 [\\d.]+ ms from 127\\.0\\.0\\.1 \\{"reqId":"[^"]+"\\}$`));
    expect(lines.filter(isJson)).toEqual([]);
  });

  it('by default, into a pipe, prints JSON lines', async () => {
    const server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path) });
    expect((await fetch(`${server.url}/v1/types`)).status).toBe(200);
    expect(await server.stop()).toBe(0);
    const lines = server.output().stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.filter((line) => !isJson(line))).toEqual([]);
    expect(lines.map((line) => JSON.parse(line) as { url?: string; status?: number })).toContainEqual(expect.objectContaining({ url: '/v1/types', status: 200 }));
  });

  // `script` (util-linux) gives the server a real terminal. Without it a developer's run skips, saying so; CI must run it.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  const noScript = '`script` (util-linux) is missing, so there is no terminal to test on: apt-get install util-linux';
  const inCi = process.env['CI'] === 'true';
  if (!hasScript && !inCi) process.stderr.write(`logger.test.ts: "on a terminal" skipped: ${noScript}\n`);
  (hasScript || inCi ? it : it.skip)('by default, on a terminal, prints readable lines', async () => {
    if (!hasScript) throw new Error(`${noScript} (CI=true, so this fails instead of skipping)`);
    const child = spawn('script', ['-qec', `'${process.execPath}' '${SNEK_SERVER_BIN}' --port 0`, '/dev/null'], { cwd: dir.path, env: cleanEnv(dir.path), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line within 20 s:\n${out}`)), 20_000);
        child.stdout.on('data', () => {
          const found = stripColour(out).split(/\r?\n/).find((l) => l.includes('listening on'));
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        });
        child.once('exit', (code) => reject(new Error(`script exited with ${code}:\n${out}`)));
      });
      expect(line).toMatch(new RegExp(`${PRETTY_LINE.source}Snek server listening on http://127\\.0\\.0\\.1:\\d+ `));
    } finally {
      // script ends the server it runs when it is itself ended.
      const exited = new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('refuses an unknown SNEK_LOG_FORMAT before starting, in one line naming the choices', async () => {
    const run = await runServerToExit({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_LOG_FORMAT: 'fancy' }) });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('snek-server: CONFIG_INVALID: SNEK_LOG_FORMAT is "fancy", which is not a log format. Set it to json or pretty, or unset it.\n');
  });
});

interface LogLine {
  level: number;
  msg: string;
  url?: string;
  route?: string;
  ip?: string;
  ms?: number;
  status?: number;
  token?: string;
}

const ADMIN = 'logger-admin-secret-token';

/** A memory server with `snekrc`'s extra keys, the admin token set and the log at `level`: its JSON lines once it stopped. */
async function requestLines(name: string, extra: string, level: string, requests: (url: string) => Promise<void>): Promise<{ lines: LogLine[]; stdout: string }> {
  await dir.write(`${name}/.snekrc`, `server:\n  store: memory\n  metrics: true\n${extra}`);
  const cwd = `${dir.path}/${name}`;
  const server = await startServerProcess({ cwd, env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: ADMIN, SNEK_LOG_LEVEL: level }) });
  await requests(server.url);
  expect(await server.stop()).toBe(0);
  const stdout = server.output().stdout;
  return { lines: stdout.trim().split('\n').map((line) => JSON.parse(line) as LogLine), stdout };
}

const ok = async (response: Promise<Response>, status = 200) => expect((await response).status).toBe(status);
const probes = async (url: string) => {
  await ok(fetch(`${url}/healthz`));
  await ok(fetch(`${url}/readyz`));
  await ok(fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } }));
};

describe('request lines', () => {
  it('behind server.trustProxy carry the address the proxy reports, the route template, the duration and the token by name only', async () => {
    const { lines, stdout } = await requestLines('proxied', '  trustProxy: true\n', 'info', async (url) => {
      await ok(fetch(`${url}/v1/sneks/cute`, { headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' } }));
      await ok(fetch(`${url}/v1/sneks/logged`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', 'x-forwarded-for': '2001:db8::5' }, body: JSON.stringify({ name: 'logged', type: 'log', content: '~>\n' }) }), 201);
      await ok(fetch(`${url}/nowhere/at/all`), 404);
      await probes(url);
    });
    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests.map(({ level, url, route, ip, status, token }) => ({ level, url, route, ip, status, token }))).toEqual([
      { level: 30, url: '/v1/sneks/cute', route: '/v1/sneks/:id', ip: '198.51.100.7', status: 200, token: undefined },
      { level: 30, url: '/v1/sneks/logged', route: '/v1/sneks/:id', ip: '2001:db8::5', status: 201, token: 'SNEK_ADMIN_TOKEN' },
      { level: 30, url: '/nowhere/at/all', route: '(unmatched)', ip: '127.0.0.1', status: 404, token: undefined },
    ]);
    for (const line of requests) expect(line.ms).toBeGreaterThanOrEqual(0);
    // The probes and the scrape are not at info, and no line holds the token itself.
    expect(stdout).not.toContain(ADMIN);
    expect(stdout).not.toMatch(/"\/(healthz|readyz|metrics)"/);
  });

  it('without server.trustProxy name the TCP peer, whatever X-Forwarded-For says', async () => {
    const { lines } = await requestLines('direct', '', 'info', async (url) => {
      await ok(fetch(`${url}/v1/sneks/cute`, { headers: { 'x-forwarded-for': '203.0.113.9' } }));
    });
    expect(lines.filter((line) => line.msg === 'request').map(({ route, ip }) => ({ route, ip }))).toEqual([{ route: '/v1/sneks/:id', ip: '127.0.0.1' }]);
  });

  it('of probes and scrapes are at debug, with their route; a refused scrape stays at info', async () => {
    const { lines, stdout } = await requestLines('debug', '', 'debug', async (url) => {
      await probes(url);
      await ok(fetch(`${url}/metrics`), 401);
    });
    expect(lines.filter((line) => line.msg === 'request').map(({ level, route, status }) => ({ level, route, status }))).toEqual([
      { level: 20, route: '/healthz', status: 200 },
      { level: 20, route: '/readyz', status: 200 },
      { level: 20, route: '/metrics', status: 200 },
      { level: 30, route: '/metrics', status: 401 },
    ]);
    expect(stdout).not.toContain(ADMIN);
  });

  it('leave out the query under /signin/ whatever its case or trailing slash, and any query with a code or a state', async () => {
    const { lines, stdout } = await requestLines('secrets', '', 'info', async (url) => {
      for (const path of ['/SignIn/x/Callback?code=SECRET-ONE&state=s1', '/signin/x/callback/?code=SECRET-TWO', '/SIGNIN?code=SECRET-THREE', '/v1/sneks/cute?state=SECRET-FOUR', '/v1/sneks?Code=SECRET-FIVE', '/v1/sneks?type=cute']) {
        await (await fetch(`${url}${path}`, { redirect: 'manual' })).arrayBuffer();
      }
    });
    expect(lines.filter((line) => line.msg === 'request').map((line) => line.url)).toEqual(['/SignIn/x/Callback?…', '/signin/x/callback/?…', '/SIGNIN?…', '/v1/sneks/cute?…', '/v1/sneks?…', '/v1/sneks?type=cute']);
    expect(stdout).not.toContain('SECRET');
  });
});
