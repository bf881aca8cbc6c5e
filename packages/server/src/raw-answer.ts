import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SnekError } from '@snek/core';
import { problemBody, statusForCode } from './problem.js';

// After the answer, the client has this long to close its end before the socket is destroyed: a client
// that never reads must not keep a file descriptor.
const LINGER_MS = 1000;

/**
 * Answers a problem+json straight onto a socket that express never saw (a refused connection, broken
 * HTTP, a timeout), with `Connection: close`, then closes it.
 */
export function answerRaw(socket: Duplex, error: SnekError, headers: Record<string, string> = {}): void {
  const status = statusForCode(error.code);
  const body = problemBody(error);
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  const linger = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once('close', () => clearTimeout(linger));
  socket.on('error', () => socket.destroy());
  // Read and drop what the client still sends, so unread bytes do not turn the close into a reset.
  socket.resume();
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`);
}
