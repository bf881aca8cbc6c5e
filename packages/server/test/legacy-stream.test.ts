import { mkdir, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { tempDir } from '../../core/test/helpers/temp-dir.js';
import { startTestServer, type TestServer } from './helpers/in-process.js';

// GET /sneks is written page by page; these check it stays the bytes JSON.stringify gave for the whole object.
const servers: TestServer[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
  for (const cleanup of cleanups) await cleanup();
});

interface Listed {
  items: Array<{ id: string; name: string; content: string }>;
  nextCursor: string | null;
}

/** The old answer: every snek in id order put into one object, then JSON.stringify. */
async function builtWhole(server: TestServer, name?: string): Promise<string> {
  const sneks: Record<string, { name: string; content: string }> = {};
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '500', ...(cursor ? { cursor } : {}), ...(name ? { name } : {}) });
    const page = (await (await server.request(`/v1/sneks?${query}`)).json()) as Listed;
    for (const snek of page.items) sneks[snek.id] = { name: snek.name, content: snek.content };
    cursor = page.nextCursor;
  } while (cursor);
  return JSON.stringify({ sneks });
}

describe('GET /sneks, streamed', () => {
  it('is byte for byte JSON.stringify of the whole object over several pages, with unicode, escapes and all-digit ids', async () => {
    const server = await startTestServer();
    servers.push(server);
    const tricky = ['Nagini 🐍 ünïcödé 日本語', 'quote " backslash \\ slash /', '\u2028 line separator \u2029', '</script> & <!--', 'zero\u200dwidth'];
    // All-digit ids are array indices: JSON.stringify puts them first, in numeric order, so must we.
    const ids = [...Array.from({ length: 1100 }, (_, i) => `s-${i}`), '0', '7', '10', '42', '007', '4294967294', '4294967295', '1.5', '9a', '99'];
    const put = async (id: string, i: number) => {
      const name = i % 100 === 0 ? 'twin' : tricky[i % tricky.length]!;
      const response = await server.request(`/v1/sneks/${id}`, { method: 'PUT', json: { name, type: 'stream', content: `${tricky[(i + 1) % tricky.length]}\t\n${id}\n` } });
      return response.status;
    };
    for (let at = 0; at < ids.length; at += 50) {
      const statuses = await Promise.all(ids.slice(at, at + 50).map((id, i) => put(id, at + i)));
      expect(statuses.every((status) => status === 201)).toBe(true);
    }
    const whole = await server.request('/sneks');
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const text = await whole.text();
    expect(text).toBe(await builtWhole(server));
    expect(Object.keys(JSON.parse(text).sneks).slice(0, 6)).toEqual(['0', '7', '10', '42', '99', '4294967294']);
    expect(await (await server.request('/sneks?name=twin')).text()).toBe(await builtWhole(server, 'twin'));
    expect(await (await server.request('/sneks?name=nobody')).text()).toBe('{"sneks":{}}');
  }, 90_000);

  it('breaks the connection, not the JSON, when the store fails mid-answer', async () => {
    const data = await tempDir('snek-legacy-stream-');
    cleanups.push(() => data.cleanup());
    const dir = path.join(data.path, 'sneks');
    // Written as the fs store's own records before it opens: 1500 sneks of 4 KB, three pages of 2 MB.
    await mkdir(dir);
    for (let i = 0; i < 1500; i++) {
      const id = `big-${String(i).padStart(4, '0')}`;
      await writeFile(path.join(dir, `${id}.json`), JSON.stringify({ id, name: id, type: 'big', content: 'x'.repeat(4096) }));
    }
    // The real fs store, whose folder vanishes just as the server asks for the second page: a removal from the
    // client's side would race how much of the first page the loopback socket takes.
    await writeFile(path.join(data.path, 'vanishing-fs.mjs'), `
import { rmSync } from 'node:fs';
import fs from ${JSON.stringify(new URL('../../store-fs/dist/index.js', import.meta.url).href)};
export default {
  apiVersion: 1,
  name: 'vanishing-fs',
  async create(options, context) {
    const store = await fs.create(options, context);
    const list = store.list.bind(store);
    store.list = (query) => {
      if (query?.cursor) rmSync(${JSON.stringify(dir)}, { recursive: true, force: true });
      return list(query);
    };
    return store;
  },
};
`);
    const server = await startTestServer({ snekrc: `server:\n  store: { use: ${path.join(data.path, 'vanishing-fs.mjs')}, options: { dir: ${dir} } }\n` });
    servers.push(server);
    const outcome = await new Promise<{ status: number; ended: boolean; bytes: number }>((resolve, reject) => {
      get(`${server.url}/sneks`, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ status: res.statusCode!, ended: true, bytes }));
        res.on('error', () => resolve({ status: res.statusCode!, ended: false, bytes }));
        res.on('aborted', () => resolve({ status: res.statusCode!, ended: false, bytes }));
      }).on('error', reject);
    });
    expect(outcome.status).toBe(200);
    expect(outcome.ended).toBe(false);
    expect(outcome.bytes).toBeGreaterThan(0);
    expect((await server.request('/healthz')).status).toBe(200);
  });
});
