import { once } from 'node:events';
import { request } from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { untilLogged } from './helpers/server-output.js';
import { cleanEnv, killAllServers, runServerToExit, startServerProcess } from './helpers/server-process.js';

// A complete store in one file, as a user might keep next to their .snekrc: it must need nothing from the workspace.
const MAP_STORE = `
const sneks = new Map();
const store = {
  async get(id) { return sneks.get(id); },
  async put(snek) { const created = !sneks.has(snek.id); sneks.set(snek.id, { ...snek }); return { created }; },
  async delete(id) { return sneks.delete(id); },
  async list(query = {}) {
    const items = [...sneks.values()].filter((s) => (query.name === undefined || s.name === query.name) && (query.type === undefined || s.type === query.type));
    return { items: items.sort((a, b) => (a.id < b.id ? -1 : 1)), nextCursor: null };
  },
  async close() {},
};
export default { apiVersion: 1, name: 'map-file', create: () => store };
`;

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir('snek-server-bin-');
});
afterEach(async () => {
  killAllServers();
  await dir.cleanup();
});

describe('snek-server', () => {
  it('loads a store file outside the workspace named by a relative path in .snekrc, and serves from it', async () => {
    await dir.write('plugins/map-store.mjs', MAP_STORE);
    await dir.write('etc/.snekrc', 'server:\n  store: ../plugins/map-store.mjs\n');
    // The store's name in /readyz goes only to a read token.
    const server = await startServerProcess({ cwd: path.join(dir.path, 'etc'), env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: 't' }) });
    expect(server.output().stdout).toContain(`"from":"file://${path.join(dir.path, 'plugins/map-store.mjs')}"`);
    const cute = (await (await fetch(`${server.url}/v1/sneks/cute`)).json()) as { name: string };
    expect(cute.name).toBe('cute');
    expect(await (await fetch(`${server.url}/readyz`, { headers: { authorization: 'Bearer t' } })).json()).toEqual({ status: 'ready', store: 'map-file' });
    expect(await server.stop()).toBe(0);
  });

  it('still stops on SIGTERM when whatever read its log has gone away', async () => {
    const server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path) });
    // A log reader that died (a closed pipe): every log line the server writes now fails with EPIPE.
    const closed = [once(server.child.stdout!, 'close'), once(server.child.stderr!, 'close')];
    server.child.stdout!.destroy();
    server.child.stderr!.destroy();
    await Promise.all(closed);
    const exited = server.stop();
    // A bound for a hang (the bug this guards against), far above any real stop.
    const verdict = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running after 15 s'), 15_000))]);
    expect(verdict).toBe(0);
  });

  it('stops on SIGTERM only after finishing the request in flight, then exits 0', async () => {
    const server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: 't' }) });
    const body = JSON.stringify({ name: 'slow', type: 'slow', content: 'sent in two halves' });
    const { hostname, port } = new URL(server.url);
    // With Expect: 100-continue the server says when it has the request: its "100 Continue" is the proof that
    // the request is in flight, and its log line the proof that SIGTERM arrived, before the body's second half.
    const headers = { authorization: 'Bearer t', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' };
    const req = request({ hostname, port, method: 'PUT', path: '/v1/sneks/slow', headers });
    const response = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
    });
    req.flushHeaders();
    await once(req, 'continue');
    req.write(body.slice(0, 10));
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await untilLogged(server, 'stopping: finishing requests in flight');
    req.end(body.slice(10));
    expect(await response).toBe(201);
    expect(await exited).toBe(0);
    expect(server.output().stdout).toContain('Snek server stopped');
  });

  it('refuses to start on a misspelt store, naming the candidates and the config file', async () => {
    const config = await dir.write('.snekrc', 'server:\n  store: memry\n');
    const { code, stderr, stdout } = await runServerToExit({ cwd: dir.path, env: cleanEnv(dir.path) });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    for (const text of ['STORE_NOT_FOUND', '@snek/store-memry', 'snek-store-memry', config]) expect(stderr).toContain(text);
    expect(stdout).not.toContain('listening');
  });

  it('refuses to start on a module without a valid default export', async () => {
    await dir.write('not-a-store.mjs', 'export const hello = 1;\n');
    await dir.write('.snekrc.json', JSON.stringify({ server: { store: './not-a-store.mjs' } }));
    const { code, stderr } = await runServerToExit({ cwd: dir.path, env: cleanEnv(dir.path) });
    expect(code).toBe(1);
    expect(stderr).toContain('STORE_INVALID_EXPORT');
    expect(stderr).toContain('hello (number)');
  });

  it('refuses to start on an invalid .snekrc, naming the file and key', async () => {
    const config = await dir.write('.snekrc', 'server:\n  port: lots\n');
    const { code, stderr } = await runServerToExit({ cwd: dir.path, env: cleanEnv(dir.path) });
    expect(code).toBe(1);
    expect(stderr).toContain('CONFIG_INVALID');
    expect(stderr).toContain(config);
    expect(stderr).toContain('server.port');
  });

  it('takes --config and SNEK_CONFIG', async () => {
    const viaEnv = await dir.write('a/env.yaml', 'server: { store: nope-env }\n');
    const viaFlag = await dir.write('b/flag.yaml', 'server: { store: nope-flag }\n');
    expect((await runServerToExit({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_CONFIG: viaEnv }) })).stderr).toContain('nope-env');
    expect((await runServerToExit({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_CONFIG: viaEnv }), args: ['--config', viaFlag] })).stderr).toContain('nope-flag');
  });

  it('rejects an unknown flag with exit 2 and one line', async () => {
    const { code, stderr } = await runServerToExit({ cwd: dir.path, env: cleanEnv(dir.path), args: ['--prot', '1'] });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^snek-server: .*prot.*\n$/);
  });
});
