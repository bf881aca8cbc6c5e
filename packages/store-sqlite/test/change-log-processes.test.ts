import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Change } from '@snek/core';
import { SqliteSnekStore } from '../src/index.js';

// The other server is a real process on the built store (packages/store-sqlite/dist, made by the build).
const WRITER = fileURLToPath(new URL('./helpers/change-writer.mjs', import.meta.url));
const IDS = Array.from({ length: 7 }, (_, i) => `w-${i}`);

interface Ack {
  op: 'put' | 'delete';
  id: string;
  content?: string;
  deleted?: boolean;
}

let root: string;
let file: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'snek-sqlite-procs-'));
  file = path.join(root, 'shared.db');
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

/** Starts the writer; `acks` fills with its acknowledged writes, and `exited` resolves with its exit code or signal. */
function startWriter(name: string, count: number | 'forever') {
  const child = spawn(process.execPath, [WRITER, file, name, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const acks: Ack[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    acks.push(JSON.parse(line) as Ack);
    for (const waiter of waiters.filter((w) => acks.length >= w.n)) waiter.resolve();
  });
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const acked = (n: number) => new Promise<void>((resolve) => (acks.length >= n ? resolve() : waiters.push({ n, resolve })));
  return { child, acks, exited, acked };
}

/** The same writes as the helper, from this process. */
async function writeLikeTheHelper(store: SqliteSnekStore, name: string, count: number): Promise<Ack[]> {
  const acks: Ack[] = [];
  for (let n = 0; n < count; n++) {
    const id = IDS[n % 7]!;
    if (n % 5 === 4) {
      acks.push({ op: 'delete', id, deleted: await store.delete(id) });
    } else {
      const contents = [0, 1, 2].map((i) => `${name} ${n} ${i}`);
      await Promise.all(contents.map((content) => store.put({ id, name, type: 'writer', content })));
      acks.push({ op: 'put', id, content: contents.at(-1)! });
    }
  }
  return acks;
}

async function wholeLog(store: SqliteSnekStore): Promise<Change[]> {
  const all: Change[] = [];
  for (let page = await store.changes({ limit: 1000 }); page.length > 0; page = await store.changes({ after: all.at(-1)!.seq, limit: 1000 })) all.push(...page);
  return all;
}

/** The log and the sneks agree: replaying the log in seq order gives exactly what the file holds. */
async function expectLogMatchesSneks(store: SqliteSnekStore, log: Change[]): Promise<void> {
  expect(log.map((change) => change.seq)).toEqual(Array.from({ length: log.length }, (_, i) => i + 1));
  const replayed = new Map<string, Change['snek']>();
  for (const change of log) replayed.set(change.id, change.snek);
  for (const id of IDS) expect(await store.get(id)).toEqual(replayed.get(id));
}

/** Each writer's acknowledged writes are in the log in the order it made them. */
function expectAcksInOrder(log: Change[], name: string, acks: Ack[]): void {
  const mine = log.filter((change) => change.snek?.name === name).map((change) => change.snek!.content);
  const acked = acks.flatMap((ack) => (ack.op === 'put' ? [ack.content!] : []));
  expect(mine.filter((content) => acked.includes(content))).toEqual(acked);
}

describe('the change log with two processes on one file', () => {
  it('gives seq in commit order across processes: replaying the log gives the sneks, and each writer finds its writes in order', async () => {
    const store = await SqliteSnekStore.open(file, { historyKeep: 1_000_000 });
    const other = startWriter('child', 150);
    const mine = await writeLikeTheHelper(store, 'parent', 150);
    expect(await other.exited).toBe(0);
    const log = await wholeLog(store);
    await expectLogMatchesSneks(store, log);
    expectAcksInOrder(log, 'parent', mine);
    expectAcksInOrder(log, 'child', other.acks);
    // Three changes per put of 120, one per delete that removed a snek.
    const deletes = (acks: Ack[]) => acks.filter((ack) => ack.deleted).length;
    expect(log).toHaveLength(2 * 120 * 3 + deletes(mine) + deletes(other.acks));
    await store.close();
  });

  it('after kill -9 of a writer, the log and the sneks agree and every acknowledged write is in the log', async () => {
    const writer = startWriter('killed', 'forever');
    await writer.acked(100);
    writer.child.kill('SIGKILL');
    expect(await writer.exited).toBe('SIGKILL');
    const store = await SqliteSnekStore.open(file);
    const log = await wholeLog(store);
    await expectLogMatchesSneks(store, log);
    expectAcksInOrder(log, 'killed', writer.acks);
    await store.close();
  });
});
