import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeServer {
  url: string;
  /** Every request it got, in order. */
  requests: IncomingMessage[];
  close: () => Promise<void>;
}

/**
 * A foreign HTTP server on loopback that answers with `handler`: for what a real Snek server never sends
 * (control characters, another server's pages). It is not one of our components, so it is no mock of one.
 */
export async function fakeServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<FakeServer> {
  const requests: IncomingMessage[] = [];
  const http = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** Answers every request with this status, content type and body. */
export function answer(status: number, type: string, body: unknown): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => void res.writeHead(status, { 'content-type': type }).end(typeof body === 'string' ? body : JSON.stringify(body));
}
