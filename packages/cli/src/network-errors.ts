/** The one-line message for a request that never got an answer, by its Node error code; undefined when unknown. */
export function networkErrorMessage(code: string | undefined, url: string, timeoutMs: number): string | undefined {
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot find the host of ${url}: check --url, SNEK_URL or client.url in .snekrc`;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return `the snek server at ${url} did not answer within ${timeoutMs / 1000} s: try again, or raise --timeout`;
  if (code === 'ECONNREFUSED') return `cannot reach the snek server at ${url}: is it running? Start it with snek-server`;
  return undefined;
}
