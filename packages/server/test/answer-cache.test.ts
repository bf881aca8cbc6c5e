import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { MemorySnekStore } from '@snek/store-memory';
import { AnswerCache } from '../src/answer-cache.js';
import { ChangeTail } from '../src/change-tail.js';
import { cacheReads } from '../src/read-cache.js';

// The cache of answers over a real memory store and its tail. Writes on `store` itself stand for another server's.
const tails: ChangeTail[] = [];
afterEach(async () => {
  await Promise.all(tails.splice(0).map((tail) => tail.close()));
});

async function setUp(maxStaleMs = 60_000) {
  const store = new MemorySnekStore();
  const tail = new ChangeTail({ store, pollMs: 10, logger: pino({ level: 'silent' }) });
  tails.push(tail);
  await tail.start();
  const answers = new AnswerCache(tail, maxStaleMs);
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
});
