import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@snek/core';
import { readDocs } from '../../core/test/helpers/docs.js';
import { runSnek, startSnek } from '../../cli/test/helpers/run-snek.js';
import { EXIT } from '../../cli/src/exit-codes.js';
import { tempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess } from './helpers/server-process.js';
import { untilOutput } from './helpers/server-output.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './helpers/in-process.js';
import { sha256 } from './helpers/token-config.js';

const READER = 'limits-reader-secret';
const WRITER = 'limits-writer-secret';
// Reads /openapi.json for the response checks, so that neither token above has spent a request on it.
const DOCS = 'limits-docs-secret';

/** A memory server with `limits` (YAML flow), private unless `read` is public, believing the proxy when asked. */
function snekrc(limits: string, options: { trustProxy?: boolean; read?: 'public' | 'token' } = {}): string {
  return `server:
  store: memory
  trustProxy: ${options.trustProxy ?? false}
  limits: { perMinute: ${limits} }
  auth:
    read: ${options.read ?? 'token'}
    tokens:
      - { name: reader, sha256: ${sha256(READER)}, scopes: [read] }
      - { name: writer, sha256: ${sha256(WRITER)}, scopes: [read, write] }
      - { name: docs, sha256: ${sha256(DOCS)}, scopes: [read] }
`;
}

async function withServer(config: string, run: (server: TestServer & { dir: string }) => Promise<void>): Promise<void> {
  const server = await startTestServer({ snekrc: config, readToken: DOCS });
  try {
    // Fetches /openapi.json now, so every test starts with that one request counted against 127.0.0.1.
    await server.expectDocumented({ method: 'GET', path: '/healthz', status: 200, contentType: 'application/json; charset=utf-8', body: '{"status":"ok"}' });
    await run(server);
  } finally {
    await server.stop();
  }
}

/** GET as `token` (none: anonymous) from `from`, the address a proxy would put in X-Forwarded-For. */
const get = (server: TestServer, path: string, token: string | null, from?: string, headers: Record<string, string> = {}) =>
  server.request(path, { token, headers: { ...headers, ...(from ? { 'x-forwarded-for': from } : {}) } });

/** The status of a GET /v1/types whose X-Forwarded-For comes in one header line per address, as fetch() cannot send. */
function forwardedTwice(url: string, addresses: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    request({ hostname, port, path: '/v1/types', headers: { 'x-forwarded-for': addresses } }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode!));
    }).on('error', reject).end();
  });
}

/** The RateLimit header with each entry's seconds (t, which counts down as the test runs) checked and cut out. */
function left(answer: Response): string | null {
  const header = answer.headers.get('ratelimit');
  if (header === null) return null;
  for (const [, seconds] of header.matchAll(/; t=(\d+)/g)) expect(Number(seconds)).toBeLessThanOrEqual(60);
  return header.replace(/; t=\d+/g, '');
}

const times = <T>(n: number, make: () => Promise<T>): Promise<T[]> => (async () => {
  const all: T[] = [];
  // One after another: the count is what is tested, not concurrency.
  for (let i = 0; i < n; i++) all.push(await make());
  return all;
})();

describe('per address', () => {
  it('answers the fourth request of a minute 429 problem+json with Retry-After and the draft RateLimit headers', async () => {
    await withServer(snekrc('{ address: 4 }', { read: 'public' }), async (server) => {
      const answers = await times(3, () => get(server, '/v1/sneks/cute', null));
      expect(answers.map((answer) => [answer.status, left(answer)])).toEqual([
        [200, '"address"; r=2'],
        [200, '"address"; r=1'],
        [200, '"address"; r=0'],
      ]);
      expect(answers[0]!.headers.get('ratelimit-policy')).toMatch(/^"address"; q=4; w=60; pk=:[A-Za-z0-9+/=]+:$/);
      const refused = await get(server, '/v1/sneks/cute', null);
      expect([refused.status, refused.headers.get('content-type')]).toEqual([429, expect.stringMatching(/^application\/problem\+json/)]);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(left(refused)).toBe('"address"; r=0');
      expect(refused.headers.get('ratelimit-policy')).toMatch(/^"address"; q=4; w=60; pk=/);
      expect(await refused.json()).toMatchObject({
        status: 429,
        code: 'RATE_LIMITED',
        limitedBy: 'address',
        retryAfter,
        detail: `Too many requests from your address: this server takes at most 4 a minute from one address. Try again in ${retryAfter} s.`,
      });
      // A token does not get past a spent address: the address is counted before any credential is looked at.
      expect((await get(server, '/v1/sneks/cute', READER)).status).toBe(429);
    });
  });

  it('counts a path that no route has, answered 404, against the address too', async () => {
    await withServer(snekrc('{ address: 3 }', { read: 'public' }), async (server) => {
      const answers = await times(3, () => get(server, '/no-such-route', null));
      expect(answers.map((answer) => [answer.status, left(answer)])).toEqual([
        [404, '"address"; r=1'],
        [404, '"address"; r=0'],
        [429, '"address"; r=0'],
      ]);
    });
  });

  it('never limits /healthz, /readyz and /metrics, even once the address has spent its minute', async () => {
    await withServer(`${snekrc('{ address: 3, actor: 3 }')}  metrics: true\n`, async (server) => {
      expect(await times(3, async () => (await get(server, '/v1/sneks', READER)).status)).toEqual([200, 200, 429]);
      const health = await times(6, () => get(server, '/healthz', null));
      const ready = await times(6, () => get(server, '/readyz', READER));
      // /metrics is for Prometheus, not in /openapi.json: fetched as it is.
      const metrics = await times(6, () => fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }));
      for (const answer of [...health, ...ready, ...metrics]) expect([answer.url, answer.status, answer.headers.get('ratelimit'), answer.headers.get('retry-after')]).toEqual([answer.url, 200, null, null]);
    });
  });

  it('counts every X-Forwarded-For as the one TCP address it came from, without trustProxy', async () => {
    await withServer(snekrc('{ address: 4 }', { read: 'public' }), async (server) => {
      const from = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'];
      expect(await times(4, async () => (await get(server, '/v1/types', null, from.shift())).status)).toEqual([200, 200, 200, 429]);
    });
  });

  it('behind trustProxy, gives each address in X-Forwarded-For its own budget, believing only the last entry', async () => {
    await withServer(snekrc('{ address: 3 }', { trustProxy: true, read: 'public' }), async (server) => {
      // The proxy appended 203.0.113.1; what the client wrote before it (a different address each time) is not believed.
      const spoofed = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'].map((own) => `${own}, 203.0.113.1`);
      expect(await times(4, async () => (await get(server, '/v1/types', null, spoofed.shift())).status)).toEqual([200, 200, 200, 429]);
      expect(await times(4, async () => (await get(server, '/v1/types', null, '203.0.113.2')).status)).toEqual([200, 200, 200, 429]);
      // HAProxy's option forwardfor adds a header line of its own after the client's: the last line is believed.
      const twoLines = (own: string) => forwardedTwice(server.url, [own, '203.0.113.3']);
      expect([await twoLines('198.51.100.1'), await twoLines('198.51.100.2'), await twoLines('198.51.100.3'), await twoLines('198.51.100.4')]).toEqual([200, 200, 200, 429]);
      // A header that holds no address counts as the TCP peer, 127.0.0.1, which the response checks have used once.
      expect(await times(3, async () => (await get(server, '/v1/types', null, 'unknown')).status)).toEqual([200, 200, 429]);
    });
  });

  it('counts IPv4 clients that reach a dual-stack listener (::ffff:a.b.c.d) each apart, not as one IPv6 network', async () => {
    await withServer(snekrc('{ address: 2 }', { trustProxy: true, read: 'public' }), async (server) => {
      expect(await times(3, async () => (await get(server, '/v1/types', null, '::ffff:198.51.100.1')).status)).toEqual([200, 200, 429]);
      expect(await times(3, async () => (await get(server, '/v1/types', null, '::ffff:198.51.100.2')).status)).toEqual([200, 200, 429]);
      // The same client, written as plain IPv4, has the same budget.
      expect((await get(server, '/v1/types', null, '198.51.100.2')).status).toBe(429);
    });
  });

  it('lets a page on an allowed origin read Retry-After and the RateLimit headers (CORS)', async () => {
    await withServer(`${snekrc('{ address: 10 }', { read: 'public' })}  cors: [https://sneks.example]\n`, async (server) => {
      const answer = await get(server, '/v1/sneks/cute', null, undefined, { origin: 'https://sneks.example' });
      expect([answer.status, answer.headers.get('access-control-allow-origin'), answer.headers.get('access-control-expose-headers')]).toEqual([200, 'https://sneks.example', 'etag,x-request-id,retry-after,ratelimit,ratelimit-policy']);
    });
  });

  it('answers the gallery with a page for a browser and one line for curl', async () => {
    await withServer(snekrc('{ address: 2 }', { read: 'public' }), async (server) => {
      expect((await get(server, '/s/cute', null)).status).toBe(200);
      const page = await get(server, '/', null, undefined, { accept: 'text/html' });
      expect([page.status, page.headers.get('content-type'), Number(page.headers.get('retry-after')) > 0]).toEqual([429, 'text/html; charset=utf-8', true]);
      expect(await page.text()).toContain('<h1>Too many requests</h1>');
      const line = await get(server, '/s/cute', null, undefined, { accept: '*/*' });
      expect([line.status, line.headers.get('content-type')]).toEqual([429, 'text/plain; charset=utf-8']);
      expect(await line.text()).toMatch(/^Too many requests from your address: this server takes at most 2 a minute from one address\. Try again in \d+ s\.\n$/);
    });
  });
});

describe('the log', () => {
  afterAll(() => killAllServers());

  it('says once a window who went past a limit, by address or by token', async () => {
    const dir = await tempDir('snek-limits-log-');
    try {
      await dir.write('.snekrc', snekrc('{ address: 3, actor: 1 }', { read: 'public' }));
      const server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path) });
      const put = () => fetch(`${server.url}/v1/sneks/logged`, { method: 'PUT', headers: { authorization: `Bearer ${WRITER}`, 'content-type': 'application/json' }, body: '{"name":"l","type":"l","content":"l"}' });
      expect(await times(3, async () => (await put()).status)).toEqual([201, 429, 429]);
      expect(await times(2, async () => (await fetch(`${server.url}/v1/types`)).status)).toEqual([429, 429]);
      const warned = (stdout: string) => stdout.split('\n').filter((line) => line.includes('rate limit reached')).map((line) => JSON.parse(line) as Record<string, unknown>);
      await untilOutput(server, 'both warnings', (stdout) => warned(stdout).length >= 2);
      expect(await server.stop()).toBe(0);
      expect(warned(server.output().stdout).map(({ limitedBy, address, actor, limit }) => ({ limitedBy, address, actor, limit }))).toEqual([
        { limitedBy: 'actor', address: undefined, actor: 'token:writer', limit: 1 },
        { limitedBy: 'address', address: '127.0.0.1', actor: undefined, limit: 3 },
      ]);
    } finally {
      await dir.cleanup();
    }
  });
});

describe('per person or token', () => {
  it("counts a token's requests from every address, and each token apart", async () => {
    await withServer(snekrc('{ actor: 3, address: 100 }', { trustProxy: true }), async (server) => {
      const from = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'];
      const reader = await times(4, () => get(server, '/v1/sneks/cute', READER, from.shift()));
      expect(reader.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
      expect(left(reader[0]!)).toBe('"address"; r=99, "actor"; r=2');
      expect(await reader[3]!.json()).toMatchObject({ code: 'RATE_LIMITED', limitedBy: 'actor', detail: expect.stringMatching(/^Too many requests from the token "reader": this server takes at most 3 a minute from one person or token\. Try again in \d+ s\.$/) });
      expect((await get(server, '/v1/sneks/cute', WRITER, '203.0.113.4')).status).toBe(200);
      // A write is counted after its guard too.
      const put = await server.request('/v1/sneks/limited', { method: 'PUT', token: WRITER, json: { name: 'l', type: 'l', content: 'l' }, headers: { 'x-forwarded-for': '203.0.113.5' } });
      expect([put.status, left(put)]).toEqual([201, '"address"; r=99, "actor"; r=1']);
    });
  });

  it("does not spend a token's budget on requests with a wrong token or none", async () => {
    await withServer(snekrc('{ actor: 3, address: 100 }'), async (server) => {
      const wrong = await times(5, () => get(server, '/v1/sneks/cute', `${READER}x`));
      const anonymous = await times(5, () => get(server, '/v1/sneks/cute', null));
      expect([...wrong, ...anonymous].map((answer) => [answer.status, answer.headers.get('ratelimit')?.includes('"actor"') ?? false])).toEqual(Array(10).fill([401, false]));
      expect(await times(4, async () => (await get(server, '/v1/sneks/cute', READER)).status)).toEqual([200, 200, 200, 429]);
    });
  });
});

describe('the CLI on a 429', () => {
  it('prints one line on stderr saying when to try again, and exits 8', async () => {
    await withServer(snekrc('{ address: 2 }', { read: 'public' }), async (server) => {
      expect((await get(server, '/v1/types', null)).status).toBe(200);
      const env = cleanEnv(server.dir, { SNEK_URL: server.url, SNEK_TOKEN: READER });
      // `snek cute` goes by the fast path first, `snek list` by the full CLI alone.
      for (const args of [['list'], ['cute', '--no-cache']]) {
        const run = await runSnek(args, { cwd: server.dir, env });
        expect([args, run.code, run.stdout.toString(), run.stderr]).toEqual([args, EXIT.RATE_LIMITED, '', expect.stringMatching(/^snek: Too many requests from your address: this server takes at most 2 a minute from one address\. Try again in \d+ s\.\n$/)]);
      }
    });
  });
  it('snek watch waits and reconnects after a 429, as after a dropped connection', async () => {
    await withServer(snekrc('{ address: 1 }', { trustProxy: true, read: 'public' }), async (server) => {
      // A balancer in front: each connection comes from a new address; the test cuts the first one.
      let connections = 0;
      const streams: Array<{ destroy(): void }> = [];
      const balancer = createServer((req, res) => {
        const nth = ++connections;
        streams.push(res);
        const upstream = request(`${server.url}${req.url}`, { method: req.method, headers: { ...req.headers, 'x-forwarded-for': `203.0.113.${nth}` } }, (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        });
        req.pipe(upstream);
      });
      await new Promise<void>((resolve) => balancer.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`;
      const write = (id: string, from: string) => server.request(`/v1/sneks/${id}`, { method: 'PUT', json: { name: id, type: 'watched', content: id }, headers: { 'x-forwarded-for': from } });
      try {
        // The second connection's address has spent its minute already: the server answers it 429.
        expect((await get(server, '/v1/types', null, '203.0.113.2')).status).toBe(200);
        const watcher = startSnek(['watch', '--url', url], { env: cleanEnv(server.dir), cwd: server.dir, timeoutMs: 30_000 });
        await watcher.stderrMatch(/watching .* for changes/);
        expect((await write('before', '198.51.100.1')).status).toBe(201);
        await watcher.stdoutMatch(/\sbefore\s/);
        streams[0]!.destroy();
        await watcher.stderrMatch(/ended; reconnecting in/);
        await watcher.stderrMatch(/snek: Too many requests from your address: this server takes at most 1 a minute from one address\. Try again in \d+ s\.; reconnecting in/);
        await watcher.stderrMatch(/reconnected to/);
        expect((await write('after', '198.51.100.2')).status).toBe(201);
        await watcher.stdoutMatch(/\safter\s/);
        watcher.signal('SIGINT');
        const done = await watcher.done;
        expect([done.code, done.stdout.toString().trimEnd().split('\n').map((text) => text.split(/\s+/)[3])]).toEqual([0, ['before', 'after']]);
      } finally {
        balancer.closeAllConnections();
        await new Promise((resolve) => balancer.close(resolve));
      }
    });
  });
});

describe('docs/operating.md', () => {
  it('has an example .snekrc that loads and limits both ways', async () => {
    const [example] = [...(await readDocs()).matchAll(/```yaml\n(# \.snekrc with rate limits\n[\s\S]*?)```/g)].map((match) => match[1]!);
    const checked = await startTestServer({ snekrc: `${example!}  store: memory\n` });
    try {
      const loaded = await loadConfig({ cwd: checked.dir, env: {} });
      expect([loaded.config.server.trustProxy, loaded.config.server.limits]).toEqual([true, { perMinute: { actor: 600, address: 1200 } }]);
      const put = await checked.request('/v1/sneks/example', { method: 'PUT', json: { name: 'e', type: 'e', content: 'e' } });
      expect([put.status, put.headers.get('ratelimit-policy')]).toEqual([201, expect.stringMatching(/^"address"; q=1200; w=60; pk=:[^:]+:, "actor"; q=600; w=60; pk=:[^:]+:$/)]);
    } finally {
      await checked.stop();
    }
  });
});
