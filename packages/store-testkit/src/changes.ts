import assert from 'node:assert/strict';
import { MAX_CHANGES_LIMIT, type Actor, type Change, type ChangeOp, type ChangeQuery, type Snek, type SnekStore, type StoreChangeLog } from '@snek/core';
import { same } from './assertions.js';

export type LogStore = SnekStore & StoreChangeLog;

/** Actors as the server passes them: a person with every field, and a token. */
export const ADA: Actor = { kind: 'person', id: 'sub-ada', name: 'Ada Lovelace', email: 'ada@example.com', via: 'company' };
export const CI: Actor = { kind: 'token', id: 'ci' };

/** Every change of the log (of one id, with `id`), oldest first, read in pages of `after`. */
export async function everyChange(store: LogStore, query: Pick<ChangeQuery, 'id'> = {}): Promise<Change[]> {
  const all: Change[] = [];
  for (let after = 0; ; ) {
    const page = await store.changes({ ...query, after, limit: MAX_CHANGES_LIMIT });
    if (page.length === 0) return all;
    assertSeqGrows([{ seq: after }, ...page], `changes({ after: ${after} })`);
    all.push(...page);
    after = page.at(-1)!.seq;
  }
}

/** Asserts that seq grows strictly along `changes`. */
export function assertSeqGrows(changes: ReadonlyArray<{ seq: number }>, what: string): void {
  for (let i = 1; i < changes.length; i++) {
    assert.ok(changes[i]!.seq > changes[i - 1]!.seq, `${what}: seq ${changes[i]!.seq} follows seq ${changes[i - 1]!.seq}; it must grow strictly`);
  }
}

export interface ExpectedChange {
  id: string;
  op: ChangeOp;
  /** For a put. */
  snek?: Snek;
  /** Absent: the write named nobody. */
  actor?: Actor;
}

/** Asserts that `change` is a whole change of the write `expected` describes. */
export function assertChange(change: Change | undefined, expected: ExpectedChange, what: string): void {
  assert.ok(change, `${what}: there is no change`);
  assert.ok(Number.isSafeInteger(change.seq) && change.seq >= 1, `${what}: seq ${change.seq} is not a positive integer`);
  same(
    { id: change.id, op: change.op, snek: change.snek, actor: change.actor },
    { id: expected.id, op: expected.op, snek: expected.op === 'put' ? expected.snek : undefined, actor: expected.actor ?? null },
    `${what}: the change (seq ${change.seq})`,
  );
  assert.ok(typeof change.at === 'string' && !Number.isNaN(Date.parse(change.at)) && new Date(change.at).toISOString() === change.at, `${what}: at ${JSON.stringify(change.at)} is not an ISO 8601 UTC time with milliseconds`);
}

/** Asserts that `changes` are, in order, whole changes of the writes `expected` describes. */
export function assertChanges(changes: readonly Change[], expected: readonly ExpectedChange[], what: string): void {
  assert.equal(changes.length, expected.length, `${what}: ${changes.length} changes (${describe(changes)}), not ${expected.length}`);
  expected.forEach((entry, i) => assertChange(changes[i], entry, `${what}, change ${i + 1}`));
  assertSeqGrows(changes, what);
}

/** The log and the sneks agree: each of `ids` that has a change holds the snek of its newest one (none after a delete), and one without a change holds no snek. */
export async function assertLogAgrees(store: LogStore, ids: Iterable<string>, what: string): Promise<void> {
  const wanted = [...new Set(ids)];
  const latest = new Map((await store.latestChanges(wanted)).map((change) => [change.id, change]));
  for (const id of wanted) {
    const change = latest.get(id);
    const snek = await store.get(id);
    if (!change) assert.equal(snek, undefined, `${what}: ${id} has a snek but no change`);
    else same(snek, change.op === 'put' ? change.snek : undefined, `${what}: get(${id}) is not the snek of its newest change (seq ${change.seq}, ${change.op})`);
  }
}

/** The newest change of each id in `changes`. */
export function newestById(changes: readonly Change[]): Map<string, Change> {
  const newest = new Map<string, Change>();
  for (const change of changes) if ((newest.get(change.id)?.seq ?? 0) < change.seq) newest.set(change.id, change);
  return newest;
}

export const byId = (a: Change, b: Change): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A short account of changes, for failure messages. */
export function describe(changes: readonly Change[]): string {
  return changes.map((change) => `${change.seq} ${change.op} ${change.id}`).join(', ') || 'none';
}
