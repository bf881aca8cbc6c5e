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
    expect(lines.find((line) => line.includes('/v1/sneks/cute'))).toMatch(new RegExp(`${PRETTY_LINE.source}GET /v1/sneks/cute 200 [\\d.]+ ms \\{"reqId":"[^"]+"\\}$`));
    expect(lines.filter(isJson)).toEqual([]);
  });

  it('by default, into a pipe, prints JSON lines', async () => {
    const server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path) });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await server.stop()).toBe(0);
    const lines = server.output().stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.filter((line) => !isJson(line))).toEqual([]);
    expect(lines.map((line) => JSON.parse(line) as { url?: string; status?: number })).toContainEqual(expect.objectContaining({ url: '/healthz', status: 200 }));
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  // `script` (util-linux) gives the server a real terminal; without it there is no terminal to test on.
  (hasScript ? it : it.skip)('by default, on a terminal, prints readable lines', async () => {
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
