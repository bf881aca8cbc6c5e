import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { StoreChangeReplay } from '@snek/core';
import { MemorySnekStore } from '@snek/store-memory';
import { AnswerCache, type AnswerCacheLimits } from '../src/answer-cache.js';
import { ChangeTail } from '../src/change-tail.js';
import { cacheReads } from '../src/read-cache.js';
import { startTestServer, type TestServer } from './helpers/in-process.js';
import { tokenSignIn } from './helpers/sign-in.js';
import { readerWriterSnekrc } from './helpers/token-config.js';

// The cache of answers over a real memory store and its tail. Writes on `store` itself stand for another server's.
const tails: ChangeTail[] = [];
afterEach(async () => {
  await Promise.all(tails.splice(0).map((tail) => tail.close()));
});

async function setUp(maxStaleMs = 60_000, limits?: AnswerCacheLimits) {
  const store = new MemorySnekStore();
  const tail = new ChangeTail({ store, pollMs: 10, logger: pino({ level: 'silent' }) });
  tails.push(tail);
  await tail.start();
  const answers = new AnswerCache(tail, maxStaleMs, limits);
  return { store, tail, answers, cached: cacheReads(store, tail, maxStaleMs, undefined, answers) };
}

const body = (text: string) => Buffer.from(text);
const snek = { id: 'x', name: 'X', type: 't', content: 'v\n' };

describe('AnswerCache', () => {
  it('answers what was filled until a change: one the tail reads, or a write through the cached store as it returns', async () => {
    const { store, tail, answers, cached } = await setUp();
    answers.fill('a', answers.begin(), { body: body('one') });
    expect(answers.get('a')?.body.toString()).toBe('one');
    const seq = tail.lastSeq!;
    await store.put(snek);
    tail.wake();
    while (tail.lastSeq === seq) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(answers.get('a')).toBeUndefined();
    answers.fill('a', answers.begin(), { body: body('two') });
    await cached.put({ ...snek, content: 'w\n' });
    expect(answers.get('a')).toBeUndefined();
  });

  it('is cleared by a replay through the cached store as it returns, and the read cache drops the replayed ids', async () => {
    const { tail, answers, cached } = await setUp();
    expect(await cached.get('x')).toBeUndefined();
    answers.fill('a', answers.begin(), { body: body('one') });
    const replay = cached as typeof cached & StoreChangeReplay;
    await replay.replayChanges([{ seq: tail.lastSeq! + 1, id: 'x', op: 'put', snek, actor: null, at: new Date().toISOString() }]);
    expect(answers.get('a')).toBeUndefined();
    expect(await cached.get('x')).toEqual(snek);
  });

  it('does not fill with an answer read while a change came', async () => {
    const { answers, cached } = await setUp();
    const since = answers.begin();
    await cached.put(snek);
    answers.fill('a', since, { body: body('old') });
    expect(answers.get('a')).toBeUndefined();
  });

  it('answers nothing with maxStaleMs 0, nor once the tail has not read the log within it', async () => {
    const off = await setUp(0);
    off.answers.fill('a', off.answers.begin(), { body: body('one') });
    expect(off.answers.get('a')).toBeUndefined();
    const { tail, answers } = await setUp(50);
    answers.fill('a', answers.begin(), { body: body('one') });
    expect(answers.get('a')?.body.toString()).toBe('one');
    await tail.close();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(answers.get('a')).toBeUndefined();
  });

  it('keeps no answer over an eighth of its bytes, and past its limits lets the least recently used go', async () => {
    const { answers } = await setUp(60_000, { maxAnswers: 3, maxBytes: 80 });
    answers.fill('big', answers.begin(), { body: Buffer.alloc(11) });
    expect(answers.get('big')).toBeUndefined();
    for (const key of ['a', 'b', 'c']) answers.fill(key, answers.begin(), { body: body(key) });
    expect(answers.get('a')?.body.toString()).toBe('a');
    answers.fill('d', answers.begin(), { body: body('d') });
    expect(['a', 'b', 'c', 'd'].map((key) => answers.get(key)?.body.toString())).toEqual(['a', undefined, 'c', 'd']);
    // By bytes too: 8 of 10 bytes each fit, the ninth pushes the oldest out.
    const bytes = await setUp(60_000, { maxAnswers: 100, maxBytes: 80 });
    for (let i = 0; i < 9; i++) bytes.answers.fill(`k${i}`, bytes.answers.begin(), { body: Buffer.alloc(10) });
    expect(Array.from({ length: 9 }, (_, i) => bytes.answers.get(`k${i}`) !== undefined)).toEqual([false, true, true, true, true, true, true, true, true]);
  });
});

// A private server (read: token): the cache sits after each router's guard, so an answer one reader filled is never
// handed to a request without credentials, and each request gets the headers of its own credentials.
describe('the cache of answers on a private server', () => {
  const READER = 'answer-cache-reader-token';
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ snekrc: readerWriterSnekrc(READER, 'answer-cache-writer-token'), readToken: READER });
  });
  afterAll(() => server.stop());

  it('answers an anonymous GET of a cached snek or page 401, and a cookie GET with its own Vary and Cache-Control', async () => {
    for (const path of ['/v1/sneks/cute', '/v1/sneks?type=cute']) {
      for (let i = 0; i < 2; i++) expect((await server.request(path, { token: READER })).status).toBe(200);
      const anonymous = await server.request(path, { token: null });
      expect([path, anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([path, 401, 'Bearer realm="snek"']);
      expect(anonymous.headers.get('vary')).toMatch(/\bAuthorization, Cookie\b/);
    }
    const signIn = await tokenSignIn(server.url, READER);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    for (const path of ['/v1/sneks/cute', '/v1/sneks?type=cute']) {
      const withCookie = await fetch(`${server.url}${path}`, { headers: { cookie } });
      expect([path, withCookie.status, withCookie.headers.get('cache-control'), withCookie.headers.get('set-cookie')]).toEqual([path, 200, 'private', null]);
      expect(withCookie.headers.get('vary')).toMatch(/\bAuthorization, Cookie\b/);
    }
  });
});
