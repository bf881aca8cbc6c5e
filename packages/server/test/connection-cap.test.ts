import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { untilOutput } from './helpers/server-output.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from './helpers/server-process.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Bytes of the request written before the server answered or closed. */
  sent: number;
}

const sockets = new Set<Socket>();
const dirs: string[] = [];

afterEach(() => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
});
afterAll(async () => {
  killAllServers();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function serverWith(snekrc: string): Promise<ServerProcess> {
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'snek-conn-cap-')));
  dirs.push(dir);
  await writeFile(path.join(dir, '.snekrc'), snekrc);
  return startServerProcess({ cwd: dir, env: cleanEnv(dir, { SNEK_STORE: 'memory', SNEK_ADMIN_TOKEN: 't', SNEK_LOG_FORMAT: 'json' }) });
}

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    sockets.add(socket);
    socket.once('error', reject);
  });
}

/** Writes `head`, then `trickle` one byte per `everyMs`, and collects what comes back until the server closes. */
function exchange(socket: Socket, head: string, trickle = '', everyMs = 200): Promise<RawAnswer> {
  return new Promise((resolve) => {
    let text = '';
    let sent = Buffer.byteLength(head);
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearInterval(timer);
      const [top = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = top.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body, sent });
    });
    socket.write(head);
    let next = 0;
    if (trickle) {
      timer = setInterval(() => {
        if (next === trickle.length || socket.destroyed) return clearInterval(timer);
        socket.write(trickle[next++]!);
        sent++;
      }, everyMs);
    }
  });
}

const HALF_SENT = 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n';
const GET_HEALTHZ = 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

describe('server.maxConnections', () => {
  it('answers the connection past the cap 503 with Retry-After, logs it once, and serves again once connections close', async () => {
    const server = await serverWith('server:\n  maxConnections: 20\n');
    const idle = [];
    for (let i = 0; i < 20; i++) {
      const socket = await open(server.url);
      socket.write(HALF_SENT);
      idle.push(socket);
    }

    const refused = await exchange(await open(server.url), GET_HEALTHZ);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.headers['connection']).toBe('close');
    expect(JSON.parse(refused.body)).toMatchObject({ status: 503, code: 'SERVER_BUSY' });
    expect(JSON.parse(refused.body).detail).toContain('server.maxConnections');

    // A flood past the cap is one log line, not one per connection.
    for (let i = 0; i < 10; i++) expect((await exchange(await open(server.url), GET_HEALTHZ)).status).toBe(503);
    // The line reaches our pipe a moment after the answer that caused it: wait for it, then for the rest of the flood.
    const capLines = (stdout: string) => stdout.split('\n').filter((line) => line.includes('server.maxConnections'));
    await untilOutput(server, 'the log line of the refused connection', (stdout) => capLines(stdout).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = capLines(server.output().stdout);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, maxConnections: 20, refused: 1 });

    for (const socket of idle) socket.destroy();
    let answer: RawAnswer | undefined;
    // The server sees the closes a moment later; a bounded number of tries, not a timing.
    for (let attempt = 0; attempt < 50 && answer?.status !== 200; attempt++) {
      if (answer) await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await exchange(await open(server.url), GET_HEALTHZ);
    }
    expect(answer?.status).toBe(200);
    expect(await server.stop()).toBe(0);
  });
});

describe('server.requestTimeout', () => {
  const body = JSON.stringify({ name: 'trickled', type: 'slow', content: 'one byte at a time' });
  const put = `PUT /v1/sneks/trickled HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;

  it('cuts off a body trickled one byte at a time with 408 problem+json before it is whole', async () => {
    const server = await serverWith('server:\n  requestTimeout: 1\n');
    const answer = await exchange(await open(server.url), put, body);
    expect(answer.status).toBe(408);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
    expect(JSON.parse(answer.body).detail).toContain('server.requestTimeout');
    expect(answer.sent).toBeLessThan(Buffer.byteLength(put + body));
    // The snek was never written, and the server still serves.
    expect((await fetch(`${server.url}/v1/sneks/trickled`)).status).toBe(404);
    expect(await server.stop()).toBe(0);
    // A client that was too slow is not the server's failure: nothing is logged as an error.
    expect(server.output().stdout).not.toMatch(/"level":(50|60)/);
  });

  it('cuts off headers that never end with 408', async () => {
    const server = await serverWith('server:\n  requestTimeout: 1\n');
    const answer = await exchange(await open(server.url), HALF_SENT, 'X-Slow: ' + 'x'.repeat(100));
    expect(answer.status).toBe(408);
    expect(answer.sent).toBeLessThan(Buffer.byteLength(HALF_SENT) + 108);
    expect(await server.stop()).toBe(0);
  });
});
