import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { SnekStore } from '@snek/core';
import memory from '@snek/store-memory';
import { accessPolicy } from '../src/access.js';
import { ROUTERS, assembleApp, type RouterName } from '../src/app.js';
import { ServerMetrics } from '../src/metrics.js';

// Who may call a route is decided by its own router: every order of mounting them must give the same answers.
const READER = 'order-reader';
const WRITER = 'order-writer';
const BROWSER = 'text/html,*/*;q=0.8';

const REQUESTS: Array<[method: string, path: string, token: string | null, accept?: string]> = [];
for (const token of [null, 'wrong', READER, WRITER]) {
  for (const path of ['/healthz', '/readyz', '/metrics', '/v1/sneks/cute', '/v1/types', '/v1/packs', '/sneks?name=cute', '/openapi.json', '/docs', '/docs/init.js', '/s/cute', '/signin', '/nowhere']) {
    REQUESTS.push(['GET', path, token]);
  }
  REQUESTS.push(['GET', '/', token, BROWSER], ['GET', '/s/cute', token, BROWSER], ['DELETE', '/v1/sneks/nope', token], ['POST', '/v1/sneks', token], ['POST', '/signout', token]);
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

let store: SnekStore;
// One registry for every app here: only the answers are compared, never the counts.
const metrics = { metrics: new ServerMetrics(), allow: [] };
beforeAll(async () => {
  store = await memory.create({}, { configDir: process.cwd() });
  await store.put({ id: 'cute', name: 'cute', type: 'cute', content: '~~<' });
});
afterAll(() => store.close());

/** Each request's status, Location and WWW-Authenticate, against the routers mounted in `order`. */
async function answers(read: 'public' | 'token', order: readonly RouterName[]): Promise<string[]> {
  const access = accessPolicy({ read, tokens: [{ name: 'reader', env: 'R', scopes: ['read'] }, { name: 'writer', env: 'W', scopes: ['read', 'write'] }] }, { R: READER, W: WRITER });
  const server: Server = createServer(assembleApp({ store, access, logger: pino({ level: 'silent' }), metrics }, order));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const seen: string[] = [];
    for (const [method, path, token, accept] of REQUESTS) {
      const headers: Record<string, string> = { accept: accept ?? '*/*' };
      if (token) headers['authorization'] = `Bearer ${token}`;
      const response = await fetch(base + path, { method, headers, redirect: 'manual' });
      await response.arrayBuffer();
      seen.push(`${method} ${path} ${token ?? '-'} ${accept ? 'browser' : 'curl'}: ${response.status} ${response.headers.get('location') ?? ''} ${response.headers.get('www-authenticate') ?? ''}`);
    }
    return seen;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('routers that carry their guard', () => {
  it.each(['public', 'token'] as const)('give the same answers in every mounting order (auth.read: %s)', async (read) => {
    const expected = await answers(read, ROUTERS);
    for (const order of permutations(ROUTERS).slice(1)) expect([order.join(','), await answers(read, order)]).toEqual([order.join(','), expected]);
  }, 120_000);

  it('guard a private server as documented: only health, sign-in and 404s answer without a token', async () => {
    const anonymous = (await answers('token', ROUTERS)).filter((line) => line.includes(' - '));
    // Refused: a 401, or a page that sends the browser to the sign-in form.
    const open = anonymous.filter((line) => !/: 401 /.test(line) && !/^GET .*: 303 \/signin /.test(line)).map((line) => line.split(' - ')[0]);
    expect(open).toEqual(['GET /healthz', 'GET /readyz', 'GET /signin', 'GET /nowhere', 'POST /v1/sneks', 'POST /signout']);
  });
});
