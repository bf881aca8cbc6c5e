import { request } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body with chunked transfer encoding instead of a Content-Length. */
  chunked?: boolean;
}

/** One HTTP request with everything as written: the path is not normalised and the body not re-encoded. */
export function rawRequest(url: string, spec: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers: Record<string, string | number> = { connection: 'close', ...spec.headers };
    if (spec.body !== undefined && !spec.chunked && !('content-length' in headers)) headers['content-length'] = Buffer.byteLength(spec.body);
    const req = request({ hostname, port, method: spec.method, path: spec.path, headers }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, contentType: String(res.headers['content-type'] ?? ''), body }));
      res.on('error', () => resolve({ status: res.statusCode!, contentType: String(res.headers['content-type'] ?? ''), body }));
    });
    // The server may answer (413) and close before a huge body is sent; the answer is what counts.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (spec.body !== undefined) req.end(spec.body);
    else req.end();
  });
}

/** Bytes straight onto a socket, for requests no HTTP client will send (a NUL in the path, broken framing). */
export function rawSocket(url: string, bytes: string | Buffer): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let text = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const contentType = /^content-type: *(.*)$/im.exec(head)?.[1] ?? '';
      resolve({ status, contentType, body: Buffer.from(body, 'latin1').toString('utf8') });
    });
  });
}
