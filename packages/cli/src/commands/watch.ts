import { SnekError } from '@snek/core';
import type { SnekClient } from '../client.js';
import { commandContext, type GlobalArgs } from '../context.js';
import { EventStreamParser } from '../event-stream.js';
import type { PublicActor } from '../snek-answers.js';
import { actorLabel } from './log.js';
import { terminalJson, terminalLine } from '../terminal.js';

export interface WatchArgs extends GlobalArgs {
  type?: string | undefined;
}

/** What the server sends for each change (GET /v1/changes/stream). */
interface ChangeEvent {
  seq: number;
  id: string;
  op: string;
  at: string;
  by: PublicActor | null;
}

// The server's `retry:` (2 s) is the first wait; each failed attempt doubles it, up to this.
const MAX_BACKOFF_MS = 30_000;
// The server sends a heartbeat every 15 s: three missed, and the connection is taken for dead.
const SILENCE_MS = 45_000;

/**
 * `snek watch [--type TYPE]`: one line per change as it happens, until Ctrl-C. When the connection drops it
 * reconnects, waiting longer after each failure, and resumes after the last change it printed (Last-Event-ID).
 * A first connection that fails, or a later one that the server refuses (4xx), ends it with the exit status any
 * command would give.
 */
export async function watch(args: WatchArgs): Promise<void> {
  const { client, url } = await commandContext(args);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const state: WatchState = { lastEventId: undefined, retryMs: 2_000 };
  try {
    await follow(client, args, state, stop.signal, () => process.stderr.write(`snek: watching ${url} for changes; Ctrl-C stops\n`));
    let waitMs = state.retryMs;
    let why = `the stream from ${url} ended`;
    while (!stop.signal.aborted) {
      process.stderr.write(`snek: ${terminalLine(why)}; reconnecting in ${Math.round(waitMs / 100) / 10} s\n`);
      await sleep(waitMs, stop.signal);
      if (stop.signal.aborted) break;
      try {
        await follow(client, args, state, stop.signal, () => process.stderr.write(`snek: reconnected to ${url}\n`));
        waitMs = state.retryMs;
        why = `the stream from ${url} ended`;
      } catch (error) {
        if (stop.signal.aborted) break;
        if (!worthRetrying(error)) throw error;
        waitMs = Math.min(waitMs * 2, MAX_BACKOFF_MS);
        why = (error as SnekError).message;
      }
    }
  } catch (error) {
    if (!stop.signal.aborted) throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

interface WatchState {
  lastEventId: string | undefined;
  retryMs: number;
}

/** One connection: prints its changes until it ends (the server went, or went silent). Throws if it cannot connect. */
async function follow(client: SnekClient, args: WatchArgs, state: WatchState, stop: AbortSignal, onConnect?: () => void): Promise<void> {
  const connection = new AbortController();
  const cut = () => connection.abort();
  stop.addEventListener('abort', cut, { once: true });
  let silence: NodeJS.Timeout | undefined;
  const heard = () => {
    clearTimeout(silence);
    silence = setTimeout(cut, SILENCE_MS);
  };
  try {
    const body = await client.changeStream({ type: args.type, lastEventId: state.lastEventId }, connection.signal);
    onConnect?.();
    heard();
    const parser = new EventStreamParser();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        heard();
        for (const event of parser.push(decoder.decode(chunk, { stream: true }))) {
          if (event.id !== undefined) state.lastEventId = event.id;
          if (event.event === 'change') print(event.data, args.json === true);
        }
        if (parser.retryMs !== undefined) state.retryMs = parser.retryMs;
      }
    } catch {
      // The connection was cut (the server stopped, the network failed, or it fell silent): the caller reconnects.
    }
  } finally {
    clearTimeout(silence);
    stop.removeEventListener('abort', cut);
  }
}

/** Network failures, the server's own (5xx: restarting, busy, its store down) and a rate limit (429) pass; a refusal (4xx) does not. */
function worthRetrying(error: unknown): boolean {
  if (!SnekError.is(error)) return false;
  if (error.code === 'SERVER_UNREACHABLE' || error.code === 'RATE_LIMITED') return true;
  const status = error.details?.['status'];
  return typeof status === 'number' && status >= 500;
}

/** "42  2025-01-01T12:00:00.000Z  put     cute  Ada": seq, when, what, which snek, who (as snek log says it). */
function print(data: string, json: boolean): void {
  let change: ChangeEvent;
  try {
    change = JSON.parse(data) as ChangeEvent;
  } catch {
    return void process.stderr.write(`snek: skipped a change that is not JSON: ${terminalLine(data.slice(0, 80))}\n`);
  }
  if (json) return void process.stdout.write(`${terminalJson(change, 0)}\n`);
  process.stdout.write(`${[String(change.seq), change.at, change.op.padEnd(6), change.id].map((field) => terminalLine(String(field))).join('  ')}  ${actorLabel(change.by)}\n`);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
