import { request, type ClientRequest } from 'node:http';

/** The data of one `change` event of `GET /v1/changes/stream`. */
export interface StreamedChange {
  seq: number;
  id: string;
  op: 'put' | 'delete';
  snek?: { id: string; name: string; type: string; content: string };
  at: string;
  by: { kind: 'person' | 'token'; name: string } | null;
}

export interface ReceivedChange {
  /** The event's `id:`, as an EventSource's lastEventId would hold it. */
  eventId: string | undefined;
  /** Which connection (0 = the first) it came on. */
  connection: number;
  change: StreamedChange;
}

export interface ChangeStreamReader {
  /** Every `change` event, in the order it arrived. */
  readonly received: readonly ReceivedChange[];
  /** The HTTP status of each connection attempt, 0 when none came (refused, reset). */
  readonly attempts: readonly number[];
  /** Connections that answered 200 with a stream. */
  readonly connections: number;
  /** The last `id:` received: what a reconnect sends as Last-Event-ID. */
  readonly lastEventId: string | undefined;
  /** The `retry:` the server sent last, in ms. */
  readonly retry: number | undefined;
  /** The seq of the last change received, or undefined before any. */
  lastSeq(): number | undefined;
  /** Drops the current connection (as a client whose network blips would) and reconnects at once. */
  reconnect(): void;
  close(): void;
}

export interface ChangeStreamOptions {
  /** Where to connect, asked again at every reconnect, so a test can point a client at another replica. */
  target: () => string;
  /** ?after= of the first connection; without it the stream starts from now. */
  after?: number;
  token?: string;
  /** The pause before a reconnect; the server's `retry:` (2 s) when absent. Tests pass a short one. */
  reconnectMs?: number;
}

/**
 * A small EventSource for tests, on node:http: it parses the stream as the SSE spec says (fields, blank-line
 * dispatch, `id:` kept across events even without data), and when a connection ends or fails it reconnects to
 * `target()` with `Last-Event-ID`, as a browser does. Connections are its own (agent: false), never pooled.
 */
export function readChangeStream(options: ChangeStreamOptions): ChangeStreamReader {
  const received: ReceivedChange[] = [];
  const attempts: number[] = [];
  let connections = 0;
  let lastEventId: string | undefined;
  let retry: number | undefined;
  let closed = false;
  let current: ClientRequest | undefined;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (ms: number) => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(connect, ms);
  };
  const again = () => schedule(options.reconnectMs ?? retry ?? 2000);

  function connect(): void {
    if (closed) return;
    const url = new URL('/v1/changes/stream', options.target());
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    else if (options.after !== undefined) url.searchParams.set('after', String(options.after));
    let settled = false;
    const done = (status: number) => {
      if (settled) return;
      settled = true;
      if (status >= 0) attempts.push(status);
      // A connection reconnect() dropped has already been replaced.
      if (current !== req) return;
      current = undefined;
      again();
    };
    const req = request(url, { headers, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', () => done(res.statusCode!));
        res.on('error', () => done(res.statusCode!));
        return;
      }
      attempts.push(200);
      const connection = connections++;
      let buffer = '';
      let data: string[] = [];
      let type = '';
      let pendingId = lastEventId;
      const line = (text: string) => {
        if (text === '') {
          // Dispatch: the id applies even to an event without data, and becomes what a reconnect sends.
          lastEventId = pendingId;
          if (data.length > 0 && (type || 'message') === 'change') received.push({ eventId: lastEventId, connection, change: JSON.parse(data.join('\n')) as StreamedChange });
          data = [];
          type = '';
          return;
        }
        if (text.startsWith(':')) return;
        const colon = text.indexOf(':');
        const field = colon < 0 ? text : text.slice(0, colon);
        const value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(value);
        else if (field === 'event') type = value;
        else if (field === 'id' && !value.includes('\0')) pendingId = value;
        else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        const lines = buffer.split(/\r\n|\r|\n/);
        // A lone \r at the end may be the first half of \r\n: keep it with the unfinished line.
        buffer = lines.pop()!;
        for (const text of lines) line(text);
      });
      // A stream that ends mid-event drops that event, as the spec says; the next connection resends it.
      res.on('end', () => done(-1));
      res.on('error', () => done(-1));
      res.on('close', () => done(-1));
    });
    current = req;
    req.on('error', () => done(0));
    req.end();
  }

  connect();
  return {
    received,
    attempts,
    get connections() {
      return connections;
    },
    get lastEventId() {
      return lastEventId;
    },
    get retry() {
      return retry;
    },
    lastSeq: () => received.at(-1)?.change.seq,
    reconnect() {
      const req = current;
      current = undefined;
      clearTimeout(timer);
      req?.destroy();
      schedule(0);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      current?.destroy();
    },
  };
}
