import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { MAX_CHANGES_LIMIT, SnekError, type Change, type SnekStore, type StoreChangeLog } from '@snek/core';
import type { ChangeTail } from './change-tail.js';
import { ChangeTypes } from './change-types.js';
import { publicActor } from './history.js';

/** A comment line this often keeps proxies from closing an idle stream. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** How long an EventSource waits before it reconnects, sent as `retry:`. */
export const RETRY_MS = 2_000;
// A client this far behind is cut off rather than buffered for: it resumes from its Last-Event-ID, out of the log.
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
// Nor does a stream hold more changes than this while it reads its backlog or the types of earlier ones.
const MAX_HELD_CHANGES = 10_000;

export interface ChangeStreamsOptions {
  /** The store's change log, for the backlog of a resumed stream and the type a snek had before a change. */
  store: SnekStore & StoreChangeLog;
  tail: ChangeTail;
  heartbeatMs?: number | undefined;
  logger: Logger;
}

export interface ChangeStreamQuery {
  /** Resume after this seq (Last-Event-ID, or ?after=); without it, only changes from now on. */
  after?: number | undefined;
  /** Only changes of sneks of this type, before or after the change. */
  type?: string | undefined;
}

/** The event of a change, formatted once however many streams send it: the tail hands each the same object. */
const formatted = new WeakMap<Change, string>();

export function changeEvent(change: Change): string {
  let text = formatted.get(change);
  if (text === undefined) {
    const data = { seq: change.seq, id: change.id, op: change.op, ...(change.snek ? { snek: change.snek } : {}), at: change.at, by: publicActor(change.actor) };
    // JSON.stringify escapes CR and LF, so the data is one line, as SSE needs.
    text = `id: ${change.seq}\nevent: change\ndata: ${JSON.stringify(data)}\n\n`;
    formatted.set(change, text);
  }
  return text;
}

/**
 * `GET /v1/changes/stream`: Server-Sent Events, one per change of the log, each once and in seq order. A stream
 * subscribes to the tail before it reads its backlog from the store, and holds what the tail sends meanwhile, so a
 * resumed stream has no gap: whatever seq a change arrives by, one already sent is skipped.
 */
export class ChangeStreams {
  private readonly open = new Set<() => void>();
  private readonly types: ChangeTypes;
  private readonly heartbeatMs: number;
  private closed = false;

  constructor(private readonly options: ChangeStreamsOptions) {
    this.types = new ChangeTypes(options.store);
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  }

  serve(req: Request, res: Response, query: ChangeStreamQuery): void {
    const { tail, store, logger } = this.options;
    if (this.closed) {
      res.setHeader('Retry-After', String(RETRY_MS / 1000));
      throw new SnekError('SERVER_BUSY', 'The server is shutting down. Reconnect in a moment, to another replica if there is one.');
    }
    if (tail.lastSeq === undefined) {
      res.setHeader('Retry-After', String(RETRY_MS / 1000));
      throw new SnekError('STORE_UNAVAILABLE', 'The change log has not been read since the server started: the store is not answering. Retry shortly.');
    }
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    // A private server's answer stays private (requireScope set that); no cache may keep or replay a stream.
    res.setHeader('Cache-Control', res.getHeader('Cache-Control') === 'private' ? 'private, no-cache' : 'no-cache');
    // nginx and the like would otherwise hold events back to fill their buffers.
    res.setHeader('X-Accel-Buffering', 'no');
    if (req.method === 'HEAD') return void res.end();
    res.flushHeaders();

    let sent = query.after ?? tail.lastSeq;
    const held: Change[] = [];
    let backlog = query.after !== undefined;
    let sending = false;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      unsubscribe();
      clearInterval(heartbeat);
      this.open.delete(end);
      if (!res.writableEnded) res.end();
    };
    const write = (text: string) => {
      if (ended) return;
      res.write(text);
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        logger.info({ reqId: res.locals['requestId'] }, 'a change stream fell 4 MiB behind: closed; its client resumes from Last-Event-ID');
        end();
      }
    };
    const send = async (change: Change) => {
      if (change.seq <= sent) return;
      const wanted = query.type === undefined || (await this.types.concerns(change, query.type));
      if (ended || change.seq <= sent) return;
      if (wanted) write(changeEvent(change));
      sent = change.seq;
    };
    // One change at a time, in order: the type check may wait on the store.
    const sendHeld = async () => {
      if (sending || backlog) return;
      sending = true;
      try {
        while (held.length && !ended) await send(held.shift()!);
      } finally {
        sending = false;
      }
    };
    const fail = (error: unknown) => {
      logger.warn({ err: error, reqId: res.locals['requestId'] }, `a change stream was closed (${(error as Error).message}); its client resumes from Last-Event-ID`);
      end();
    };

    const unsubscribe = tail.subscribe({
      change: (change) => {
        if (held.push(change) > MAX_HELD_CHANGES) return void fail(new Error(`${MAX_HELD_CHANGES} changes arrived before this stream could send them`));
        sendHeld().catch(fail);
      },
      end,
    });
    this.open.add(end);
    res.on('close', end);
    const heartbeat = setInterval(() => write(': ping\n\n'), this.heartbeatMs).unref();
    write(`retry: ${RETRY_MS}\n\n`);

    if (!backlog) return;
    (async () => {
      let after = query.after!;
      // Past the end of the log, by the store's own word (a lagging tail is no proof): the log was emptied or replaced
      // (a memory store restarted), so every change it holds is new to this client.
      if (after > tail.lastSeq!) {
        const [newest] = await store.changes({ order: 'desc', limit: 1 });
        if ((newest?.seq ?? 0) < after) sent = after = 0;
      }
      while (!ended) {
        const page = await store.changes({ after, limit: MAX_CHANGES_LIMIT });
        for (const change of page) await send(change);
        if (page.length < MAX_CHANGES_LIMIT) break;
        after = page.at(-1)!.seq;
      }
      backlog = false;
      await sendHeld();
    })().catch(fail);
  }

  /** Ends every open stream: the server is shutting down, and must not wait on them. */
  closeAll(): void {
    this.closed = true;
    for (const end of this.open) end();
  }
}
