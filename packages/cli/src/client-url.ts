/** The server the CLI talks to when nothing names one, and none of server.host and server.port is set. */
export const DEFAULT_URL = 'http://localhost:8000';

/**
 * The URL of the server that `server.host` and `server.port` describe, for a CLI without client.url;
 * undefined for port 0 (any free port), which no client can guess.
 */
export function urlFromServer(host: string, port: number): string | undefined {
  if (port === 0) return undefined;
  // A server listening on every address is reached on this machine through localhost.
  const reachable = host === '' || host === '0.0.0.0' || host === '::' || host === '[::]' ? 'localhost' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}

/** An http(s) URL with a host: what --url must be. */
export function isServerUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
  } catch {
    return false;
  }
}
