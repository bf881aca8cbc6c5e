// Latency as one client sees it: one keep-alive connection, one request at a time, each timed from send to last byte.
import { Agent, request } from 'node:http';

export const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];

/** What the server answered when a request of the bench was not 2xx: the API refused it, so it was not measured. */
export class Refused extends Error {
  constructor(path, status, body) {
    const text = body.toString('utf8');
    let detail;
    try {
      const problem = JSON.parse(text);
      detail = problem.detail ?? problem.title;
    } catch {
      // not problem+json: the start of the body says enough
    }
    super(`${status} ${(detail ?? text).slice(0, 200)}`);
    this.path = path;
    this.status = status;
  }
}

/** A client of `base` on one connection. */
export function oneConnection(base) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path) =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = request(`${base}${path}`, { agent }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      });
      // A server that hangs ends the run with its path named, instead of stalling it.
      req.setTimeout(60_000, () => req.destroy(new Error(`GET ${path} had no answer within 60 s`)));
      req.on('error', reject);
      req.end();
    });
  return { get, close: () => agent.destroy() };
}

/**
 * Sends `next(previous)` (a `{ label, path }`, from the answer before it, for keyset walks) one after another: `warmup`
 * requests unrecorded (at most 1 s of them), then until `requests` are recorded or `seconds` have passed. Resolves the
 * sorted times per label and how many distinct paths were asked; throws Refused at the first answer that is not 2xx.
 */
export async function timeRequests(client, next, { requests, seconds, warmup }) {
  const times = new Map();
  const paths = new Set();
  let previous;
  let recorded = 0;
  let deadline;
  const warm = performance.now() + 1000;
  for (let n = 0; ; n++) {
    if (deadline === undefined && (n >= warmup || performance.now() >= warm)) deadline = performance.now() + seconds * 1000;
    if (deadline !== undefined && (recorded >= requests || performance.now() >= deadline)) break;
    const asked = next(previous);
    const answer = await client.get(asked.path);
    if (answer.status < 200 || answer.status > 299) throw new Refused(asked.path, answer.status, answer.body);
    previous = { ...asked, body: answer.body };
    if (deadline === undefined) continue;
    recorded++;
    paths.add(asked.path);
    if (!times.has(asked.label)) times.set(asked.label, []);
    times.get(asked.label).push(answer.ms);
  }
  for (const list of times.values()) list.sort((a, b) => a - b);
  const all = [...times.values()].flat().sort((a, b) => a - b);
  return { all, times, distinct: paths.size };
}
