import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { SnekError } from '@snek/core';
import { answerRaw } from './raw-answer.js';

const RETRY_AFTER_SECONDS = 5;
const LOG_EVERY_MS = 10_000;

/** Who is told of each connection the cap lets in, sees close, or refuses: the server's metrics. */
export interface ConnectionWatch {
  opened(): void;
  closed(): void;
  refused(): void;
}

/**
 * Past `max` open connections, answers each new one 503 with Retry-After instead of handing it to HTTP,
 * and logs the refusals at most once per 10 s. Node's own `server.maxConnections` would close them
 * unanswered. Returns a function that stops the log timer.
 */
export function capConnections(server: Server, max: number, logger: Logger, watch?: ConnectionWatch): () => void {
  // http.Server parses a connection in its one 'connection' listener; put the count in front of it.
  const [serve, ...more] = server.listeners('connection') as ((socket: Socket) => void)[];
  if (!serve || more.length) {
    // A Node whose http.Server is built otherwise still gets a cap: Node's own, which closes unanswered.
    logger.warn(`server.maxConnections: this Node's http.Server has ${more.length + (serve ? 1 : 0)} connection listeners, not 1; connections past ${max} are closed without a 503`);
    server.maxConnections = max;
    return () => {};
  }
  server.removeListener('connection', serve);
  let open = 0;
  let answering = 0;
  const log = refusalLog(logger, max);
  const closed = () => {
    open--;
    watch?.closed();
  };
  server.on('connection', (socket: Socket) => {
    if (open < max) {
      open++;
      watch?.opened();
      socket.once('close', closed);
      serve.call(server, socket);
      return;
    }
    log.note();
    watch?.refused();
    // Refused sockets linger a moment for their answer; past as many again as the cap, they are reset.
    if (answering >= max) return void socket.destroy();
    answering++;
    socket.once('close', () => answering--);
    const busy = new SnekError('SERVER_BUSY', `The server has ${max} connections open, its server.maxConnections. Retry in ${RETRY_AFTER_SECONDS} s; if this is common, raise server.maxConnections or add replicas.`);
    answerRaw(socket, busy, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
  });
  return log.stop;
}

/** The first refusal is logged at once; the rest are counted and logged at most once per LOG_EVERY_MS. */
function refusalLog(logger: Logger, max: number) {
  let refused = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    logger.warn({ maxConnections: max, refused }, `refused ${refused} connection${refused === 1 ? '' : 's'} with 503: server.maxConnections (${max}) are open; raise it, or add replicas`);
    refused = 0;
  };
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
  };
  return {
    note() {
      refused++;
      if (timer) return;
      flush();
      timer = setInterval(() => (refused ? flush() : stop()), LOG_EVERY_MS).unref();
    },
    stop,
  };
}
