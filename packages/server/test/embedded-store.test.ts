import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { Snek, SnekPage, SnekQuery, SnekStore } from '@snek/core';
import { accessPolicy } from '../src/access.js';
import { createApp } from '../src/app.js';

/** A store as a class, its methods on the prototype, and without putIf/deleteIf: what an embedder may hand createApp. */
class ClassStore implements SnekStore {
  private readonly sneks = new Map<string, Snek>();
  async get(id: string) {
    return this.sneks.get(id);
  }
  async put(snek: Snek) {
    const created = !this.sneks.has(snek.id);
    this.sneks.set(snek.id, { ...snek });
    return { created };
  }
  async delete(id: string) {
    return this.sneks.delete(id);
  }
  async list(_query?: SnekQuery): Promise<SnekPage> {
    return { items: [...this.sneks.values()], nextCursor: null };
  }
  async close() {}
}

const TOKEN = 'embedded-writer';
let server: Server;
let base: string;
beforeAll(async () => {
  const access = accessPolicy({ tokens: [{ name: 'writer', env: 'W', scopes: ['read', 'write'] }] }, { W: TOKEN });
  server = createServer(createApp({ store: new ClassStore(), access, logger: pino({ level: 'silent' }) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const put = (id: string, content: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/sneks/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: id, type: 't', content }) });

describe('createApp with a class-based store that has no conditional writes', () => {
  it('serves conditional PUTs and DELETEs through the per-process fallback', async () => {
    const created = await put('c', 'one', { 'if-none-match': '*' });
    expect(created.status).toBe(201);
    expect((await put('c', 'again', { 'if-none-match': '*' })).status).toBe(412);
    const etag = created.headers.get('etag')!;
    const racing = await Promise.all(Array.from({ length: 8 }, (_, i) => put('c', `two-${i}`, { 'if-match': etag })));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412, 412, 412, 412]);
    const stale = await fetch(`${base}/v1/sneks/c`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}`, 'if-match': etag } });
    expect(stale.status).toBe(412);
  });
});
