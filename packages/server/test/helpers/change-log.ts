import { expect } from '@jest/globals';

/** A change as `GET /v1/changes` (admin) answers it: the full actor. */
export interface LoggedChange {
  seq: number;
  id: string;
  op: 'put' | 'delete';
  snek?: { id: string; name: string; type: string; content: string };
  actor: { kind: 'person' | 'token'; id: string; name?: string } | null;
  at: string;
}

/** A revision as `GET /v1/sneks/:id/revisions` answers it: the public actor. */
export interface Revision {
  seq: number;
  op: 'put' | 'delete';
  snek?: { id: string; name: string; type: string; content: string };
  at: string;
  by: { kind: 'person' | 'token'; name: string } | null;
}

async function json(url: string, token?: string): Promise<unknown> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(15_000) });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body);
}

/** The whole change log through `GET /v1/changes`, oldest first, in pages of 1000; `token` needs the admin scope. */
export async function allChanges(base: string, token: string): Promise<LoggedChange[]> {
  const all: LoggedChange[] = [];
  for (let after = 0; ; ) {
    const page = (await json(`${base}/v1/changes?after=${after}&limit=1000`, token)) as { items: LoggedChange[]; next: number };
    all.push(...page.items);
    if (page.items.length === 0) return all;
    expect(page.next).toBe(page.items.at(-1)!.seq);
    after = page.next;
  }
}

/** Every revision of `id` through `GET /v1/sneks/:id/revisions`, newest first, following nextCursor. */
export async function allRevisions(base: string, id: string, token?: string): Promise<Revision[]> {
  const all: Revision[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
    const page = (await json(`${base}/v1/sneks/${encodeURIComponent(id)}/revisions?${query}`, token)) as { items: Revision[]; nextCursor: string | null };
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** The seqs that break "strictly increasing": repeats and steps back, as `previous>seq`. */
export function outOfOrder(seqs: readonly number[]): string[] {
  return seqs.flatMap((seq, i) => (i > 0 && seq <= seqs[i - 1]! ? [`${seqs[i - 1]}>=${seq}`] : []));
}

/** The newest change of each id, from a log in seq order. */
export function newestChanges(log: readonly LoggedChange[]): Map<string, LoggedChange> {
  const newest = new Map<string, LoggedChange>();
  for (const change of log) newest.set(change.id, change);
  return newest;
}

/**
 * Where the log and the sneks disagree: for each id in either, the newest change must be a put of exactly the snek
 * the store serves, or a delete of one it does not serve. `sneks` is every snek of the ids `concerns` accepts.
 */
export function logDisagreements(log: readonly LoggedChange[], sneks: ReadonlyMap<string, string>, concerns: (id: string) => boolean): string[] {
  const newest = newestChanges(log);
  const wrong: string[] = [];
  for (const [id, change] of newest) {
    if (!concerns(id)) continue;
    if (change.op === 'put' && sneks.get(id) !== change.snek?.content) wrong.push(`${id}: newest change ${change.seq} is a put, the store ${sneks.has(id) ? 'serves other content' : 'has no such snek'}`);
    if (change.op === 'delete' && sneks.has(id)) wrong.push(`${id}: newest change ${change.seq} is a delete, the store still serves it`);
  }
  for (const id of sneks.keys()) if (concerns(id) && !newest.has(id)) wrong.push(`${id}: served, with no change in the log`);
  return wrong;
}
