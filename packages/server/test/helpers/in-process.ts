import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '@snek/core';
import { startServer, type RunningServer } from '../../src/index.js';
import { apiFetch, contractOf, type ObservedResponse } from './api-contract.js';

export const ADMIN_TOKEN = 'test-admin-token';

export interface TestServer extends RunningServer {
  /**
   * fetch() against the server, with the admin token unless `token: null`. The test fails unless the
   * server's /openapi.json describes the response.
   */
  request(pathname: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
  /** Fails the test unless /openapi.json describes a response got some other way (raw HTTP). */
  expectDocumented(observed: ObservedResponse): Promise<void>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  env?: NodeJS.ProcessEnv;
  /** A token with the read scope, to fetch /openapi.json from a server whose reads are private; default the admin token. */
  readToken?: string;
  /** A .snekrc to write into the server's folder; without one the store is memory. */
  snekrc?: string;
  /** How long stop() lets requests finish; default 10 s. */
  drainTimeoutMs?: number;
}

/** The real server, store loaded by the real loader from a real config folder, on 127.0.0.1:0. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer & { dir: string }> {
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'snek-server-test-')));
  if (options.snekrc !== undefined) await writeFile(path.join(dir, '.snekrc'), options.snekrc);
  const env = { SNEK_ADMIN_TOKEN: ADMIN_TOKEN, ...(options.snekrc === undefined ? { SNEK_STORE: 'memory' } : {}), ...options.env };
  const loaded = await loadConfig({ cwd: dir, env: { HOME: dir, ...env } });
  const server = await startServer({ loaded, port: 0, env, logger: pino({ level: 'silent' }), ...(options.drainTimeoutMs !== undefined ? { drainTimeoutMs: options.drainTimeoutMs } : {}) });
  const contract = () => contractOf(server.url, options.readToken ?? ADMIN_TOKEN);
  return {
    ...server,
    dir,
    async request(pathname, { token = ADMIN_TOKEN, json, headers, ...init } = {}) {
      const all = new Headers(headers);
      if (token) all.set('authorization', `Bearer ${token}`);
      if (json !== undefined) all.set('content-type', 'application/json');
      return apiFetch(await contract(), server.url, pathname, { ...init, headers: all, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    },
    async expectDocumented(observed) {
      (await contract()).assert(observed);
    },
    async stop() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** GET with the path sent exactly as written: fetch() would normalise "..", "%2e%2e" and the like away. */
export function rawGet(url: string, rawPath: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    get({ hostname, port, path: rawPath }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, contentType: String(res.headers['content-type']), body }));
    }).on('error', reject);
  });
}
