import type { Logger } from 'pino';
import { SnekError, keepsChangeLog, type SnekStore } from '@snek/core';
import { ChangeStreams } from './change-stream.js';
import { ChangeTail } from './change-tail.js';
import { AnswerCache } from './answer-cache.js';
import { cacheReads } from './read-cache.js';

/** What a server with a change log runs besides its routes: the tail, the read cache over it, the change streams. */
export interface LiveChanges {
  /** The store for the routes: GET one snek from the cache, writes that wake the tail. */
  store: SnekStore;
  tail: ChangeTail;
  streams: ChangeStreams;
  /** The answers of GET one snek and of list pages, kept fresh as the read cache is. */
  answers: AnswerCache;
  /** Reads where the log ends and starts following it; never throws (a failing store is retried). */
  start(): Promise<void>;
  /** Stops the tail; end the streams first with `streams.closeAll()`. */
  close(): Promise<void>;
}

export interface LiveChangesOptions {
  /** server.cache.maxStaleMs; 0: no read cache. */
  maxStaleMs: number;
  /** The streams' heartbeat; default 15 s. */
  heartbeatMs?: number | undefined;
  logger: Logger;
}

/**
 * How often the tail reads the log unprompted: a quarter of the staleness bound, so the cache keeps serving while
 * the log answers, and at least every 250 ms, which also bounds how late another server's change reaches a stream.
 */
export function tailPollMs(maxStaleMs: number): number {
  return maxStaleMs > 0 ? Math.max(10, Math.min(250, Math.floor(maxStaleMs / 4))) : 250;
}

/** The tail, cache and streams of a store with a change log; undefined for a store without one (no cache, no stream). */
export function liveChanges(store: SnekStore, options: LiveChangesOptions): LiveChanges | undefined {
  if (!keepsChangeLog(store)) return undefined;
  const tail = new ChangeTail({ store, pollMs: tailPollMs(options.maxStaleMs), logger: options.logger });
  const streams = new ChangeStreams({ store, tail, heartbeatMs: options.heartbeatMs, logger: options.logger });
  const answers = new AnswerCache(tail, options.maxStaleMs);
  return {
    store: cacheReads(store, tail, options.maxStaleMs, undefined, answers),
    tail,
    streams,
    answers,
    start: () => tail.start(),
    close: () => tail.close(),
  };
}

/** SNEK_STREAM_HEARTBEAT_MS: the change streams' heartbeat in milliseconds, for tests that cannot wait 15 s. */
export function heartbeatFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const text = env['SNEK_STREAM_HEARTBEAT_MS'];
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,7}$/.test(text) || Number(text) < 10) throw new SnekError('CONFIG_INVALID', `SNEK_STREAM_HEARTBEAT_MS is "${text.slice(0, 20)}": set it to a number of milliseconds of at least 10, or unset it for 15 s.`);
  return Number(text);
}
