import { openEventStream, type ChangeEventData, type EventStream } from './event-stream.js';

export interface ReceivedChange {
  /** The event's `id:`, what a reconnect sends back as Last-Event-ID. */
  eventId: string | undefined;
  /** Which connection (0 = the first) it came on. */
  connection: number;
  change: ChangeEventData;
}

export interface ChangeStreamReader {
  /** Every `change` event, in the order it arrived, over every connection. */
  received(): ReceivedChange[];
  /** The HTTP status of each connection attempt, 0 when none came (refused, reset). */
  readonly attempts: readonly number[];
  /** Connections that answered 200 with a stream. */
  connections(): number;
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
  /** The pause before a reconnect; the server's `retry:` when absent. Tests pass a short one. */
  reconnectMs?: number;
}

/**
 * An EventSource for `GET /v1/changes/stream`, on {@link openEventStream}: when a connection ends or fails it
 * reconnects to `target()` with `Last-Event-ID` (the last `id:` it received), as a browser does.
 */
export function readChangeStream(options: ChangeStreamOptions): ChangeStreamReader {
  const streams: EventStream[] = [];
  const attempts: number[] = [];
  let current: EventStream | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  // A reconnect() asked for while a connection is being made: that one is dropped as soon as it is made.
  let connecting = false;
  let dropNext = false;

  const lastEventId = () => {
    for (const stream of [...streams].reverse()) {
      const event = stream.events.findLast((e) => e.id !== undefined);
      if (event) return event.id;
    }
    return undefined;
  };
  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (!closed) timer = setTimeout(() => void connect(), ms);
  };
  const again = () => schedule(options.reconnectMs ?? streams.at(-1)?.retry ?? 2000);

  async function connect(): Promise<void> {
    const id = lastEventId();
    const url = new URL('/v1/changes/stream', options.target());
    if (id === undefined && options.after !== undefined) url.searchParams.set('after', String(options.after));
    let stream: EventStream;
    connecting = true;
    try {
      stream = await openEventStream(url.href, id === undefined ? {} : { 'last-event-id': id });
    } catch {
      attempts.push(0);
      return again();
    } finally {
      connecting = false;
    }
    attempts.push(stream.status);
    if (closed || stream.status !== 200 || dropNext) {
      stream.close();
      if (stream.status === 200 && !closed) streams.push(stream);
      const now = dropNext;
      dropNext = false;
      return closed ? undefined : now ? schedule(0) : again();
    }
    streams.push(stream);
    current = stream;
    await stream.ended;
    // A connection reconnect() dropped has been replaced already.
    if (current === stream) {
      current = undefined;
      again();
    }
  }

  void connect();
  return {
    received: () =>
      streams.flatMap((stream, connection) => stream.events.filter((event) => event.event === 'change').map((event) => ({ eventId: event.id, connection, change: JSON.parse(event.data) as ChangeEventData }))),
    attempts,
    connections: () => streams.length,
    lastSeq() {
      for (const stream of [...streams].reverse()) {
        const event = stream.events.findLast((e) => e.event === 'change');
        if (event) return (JSON.parse(event.data) as ChangeEventData).seq;
      }
      return undefined;
    },
    reconnect() {
      if (connecting) return void (dropNext = true);
      const stream = current;
      current = undefined;
      stream?.close();
      schedule(0);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      current?.close();
    },
  };
}
