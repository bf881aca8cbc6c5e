import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { cleanEnv, startServerProcess, type ServerProcess } from './server-process.js';

export const REPLICA_TOKEN = 'replica-test-token';

export interface PgStoreSettings {
  url: string;
  schema: string;
  /** Seconds; short, so an outage shows within a couple of seconds. */
  timeouts?: number;
  storeTimeout?: number;
  poolMax?: number;
  /** server.cache.maxStaleMs; the default when absent. */
  cacheMaxStaleMs?: number;
}

/** Writes `dir/.snekrc` for the postgres store; the url comes from SNEK_TEST_PG (urlEnv), as a deployment would. */
export async function writePgSnekrc(dir: string, settings: PgStoreSettings): Promise<void> {
  const t = settings.timeouts ?? 2;
  const options = `{ urlEnv: SNEK_TEST_PG, schema: ${settings.schema}, connectTimeout: ${t}, statementTimeout: ${t}, pool: { max: ${settings.poolMax ?? 10} } }`;
  const cache = settings.cacheMaxStaleMs === undefined ? '' : `  cache: { maxStaleMs: ${settings.cacheMaxStaleMs} }\n`;
  await writeFile(path.join(dir, '.snekrc'), `server:\n  storeTimeout: ${settings.storeTimeout ?? 20}\n${cache}  store: { use: postgres, options: ${options} }\n`);
}

/** Writes `dir/.snekrc` from the one docs/deploying.md shows, as written but for the schema: one of the test's own. */
export async function writeDeployingSnekrc(dir: string, schema: string): Promise<void> {
  const guide = await readFile(new URL('../../../../docs/deploying.md', import.meta.url), 'utf8');
  const block = /```yaml\n(# \/srv\/snek\/\.snekrc[^\n]*\n[\s\S]*?)```/.exec(guide)?.[1];
  if (!block?.includes('      schema: snek ')) throw new Error('docs/deploying.md no longer has the .snekrc this test runs.');
  await writeFile(path.join(dir, '.snekrc'), block.replace('      schema: snek ', `      schema: ${schema} `));
}

/** The environment of a replica: the url both as SNEK_TEST_PG and as the guide's SNEK_PG_URL, and the write token. */
export function pgServerEnv(dir: string, url: string): NodeJS.ProcessEnv {
  return cleanEnv(dir, { SNEK_ADMIN_TOKEN: REPLICA_TOKEN, SNEK_WRITE_TOKEN: REPLICA_TOKEN, SNEK_TEST_PG: url, SNEK_PG_URL: url });
}

/** `count` snek-server processes on one .snekrc in `dir`, started together. */
export function startReplicas(dir: string, url: string, count: number): Promise<ServerProcess[]> {
  return Promise.all(Array.from({ length: count }, () => startServerProcess({ cwd: dir, env: pgServerEnv(dir, url) })));
}

export interface Outcome {
  id: string;
  content: string;
  /** The HTTP status, or 0 when no answer came (connection refused or reset). */
  status: number;
  replica: number;
}

const acked = (status: number) => status === 200 || status === 201;

/**
 * One request on a connection of its own: under load, a reused keep-alive connection the server is just closing
 * fails with ECONNRESET before the request is even read, which would count as a lost answer here.
 */
function call(base: string, method: string, pathname: string, body?: string): Promise<{ status: number; etag: string | null; text: string }> {
  return new Promise((resolve, reject) => {
    const auth = { authorization: `Bearer ${REPLICA_TOKEN}` };
    const headers: Record<string, string> = body !== undefined ? { ...auth, 'content-type': 'application/json' } : method === 'GET' ? {} : auth;
    const req = request(`${base}${pathname}`, { method, agent: false, headers, timeout: 15_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, etag: (res.headers.etag as string | undefined) ?? null, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${pathname} in 15 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The status of a PUT, or 0 when no answer came (connection refused or reset). */
export async function putSnek(base: string, id: string, body: { name: string; type: string; content: string }): Promise<number> {
  try {
    return (await call(base, 'PUT', `/v1/sneks/${id}`, JSON.stringify(body))).status;
  } catch {
    return 0;
  }
}

/** The status of a DELETE, or 0 when no answer came (connection refused or reset). */
export async function deleteSnek(base: string, id: string): Promise<number> {
  try {
    return (await call(base, 'DELETE', `/v1/sneks/${id}`)).status;
  } catch {
    return 0;
  }
}

export async function getSnek(base: string, id: string): Promise<{ status: number; etag: string | null; snek?: { id: string; name: string; type: string; content: string } }> {
  const { status, etag, text } = await call(base, 'GET', `/v1/sneks/${id}`);
  return status === 200 ? { status, etag, snek: JSON.parse(text) as never } : { status, etag: null };
}

export interface StormOptions {
  replicas: readonly ServerProcess[];
  clients: number;
  /** Writes per client at most. */
  perClient: number;
  prefix: string;
  /** Ends the storm early once it returns true (checked before each write). */
  stop?: () => boolean;
  /** Called after each answer, e.g. to kill something once enough writes are acknowledged. */
  onOutcome?: (outcome: Outcome, all: readonly Outcome[]) => void;
  /** Which replicas to skip: a client never writes through these. */
  skip?: () => ReadonlySet<number>;
}

/** `clients` writers spread round-robin over the replicas, each a new id per write. Bounded by count and by `stop`. */
export async function writeStorm(options: StormOptions): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: options.clients }, async (_, client) => {
      for (let k = 0; k < options.perClient && !options.stop?.(); k++) {
        const id = `${options.prefix}-${client}-${k}`;
        const content = `${id} art\n${'~'.repeat(k % 40)}<\n`;
        const replica = (client + k) % options.replicas.length;
        const status = await putSnek(options.replicas[replica]!.url, id, { name: id, type: options.prefix, content });
        const outcome = { id, content, status, replica };
        outcomes.push(outcome);
        options.onOutcome?.(outcome, outcomes);
        // A failing backend answers at once; a pause keeps the loop from spinning through its count.
        if (!acked(status)) await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }),
  );
  return outcomes;
}

export const acknowledged = (outcomes: readonly Outcome[]) => outcomes.filter((outcome) => acked(outcome.status));

/** Ids of acknowledged writes that `base` does not serve with exactly the acknowledged content. */
export async function missingFrom(base: string, outcomes: readonly Outcome[]): Promise<string[]> {
  const missing: string[] = [];
  for (let at = 0; at < outcomes.length; at += 16) {
    const slice = outcomes.slice(at, at + 16);
    const found = await Promise.all(slice.map((outcome) => getSnek(base, outcome.id)));
    slice.forEach((outcome, i) => {
      if (found[i]!.snek?.content !== outcome.content) missing.push(outcome.id);
    });
  }
  return missing;
}

/** Polls `check` every 100 ms until it is true; false once `ms` have passed. */
export async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
