import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Change } from '@snek/core';
import { FsSnekStore, JOURNAL_FILE } from '../src/index.js';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';

// A child process writes through the store in a loop, with every write method, and is killed with SIGKILL at a
// random moment, again and again. After each kill the store opens, and its log and its sneks agree: nothing
// acknowledged is missing, nothing is there that was never tried. The server-level crash test is
// packages/server/test/crash.test.ts; this one is the store's own, with retention and compaction in the storm.
const CYCLES = 10;
const KEEP = 3;
const WORKERS = 4;
const IDS_PER_WORKER = 3;
const WRITER = fileURLToPath(new URL('./fixtures/journal-writer.mjs', import.meta.url));

/** One write the child tried, in the order it tried the writes of its id; `seq` once it was acknowledged. */
interface Tried {
  op: 'put' | 'delete';
  content?: string;
  seq?: number;
}

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('snek-fs-crash-journal-');
});
afterAll(() => dir.cleanup());

const tried = new Map<string, Tried[]>();
const storeDir = () => path.join(dir.path, 'data');
const actorOf = (id: string) => ({ kind: 'token', id: `worker-${id.slice(1, id.indexOf('-'))}` });

/** Runs the writer until it has acknowledged a random number of writes, then kills it with SIGKILL. */
async function writeUntilKilled(floor: number): Promise<number> {
  const child = spawn(process.execPath, [WRITER, storeDir(), String(KEEP), String(WORKERS), String(IDS_PER_WORKER)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const lines = createInterface({ input: child.stdout });
  const closed = once(lines, 'close');
  const target = 20 + Math.floor(Math.random() * 300);
  let acks = 0;
  const below: string[] = [];
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (text) => {
      const message = JSON.parse(text) as { try?: string; op?: 'put' | 'delete'; content?: string; ack?: string; seq?: number };
      if (message.try !== undefined) {
        const own = tried.get(message.try) ?? [];
        own.push({ op: message.op!, ...(message.content === undefined ? {} : { content: message.content }) });
        tried.set(message.try, own);
      } else if (message.ack !== undefined) {
        tried.get(message.ack)!.at(-1)!.seq = message.seq!;
        if (!(message.seq! > floor)) below.push(`${message.ack} got seq ${message.seq}, not above ${floor}, the newest before the restart`);
        if (++acks === target) resolve();
      }
    });
    void exited.then(([code, signal]) => reject(new Error(`the writer ended (${code ?? signal}) before it was killed:\n${stderr}`)));
  });
  // Not at once: the kill lands inside a write, a commit or a compaction, wherever the child is by then.
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
  child.kill('SIGKILL');
  expect((await exited)[1]).toBe('SIGKILL');
  await closed;
  expect(below).toEqual([]);
  return acks;
}

async function everyChange(store: FsSnekStore): Promise<Change[]> {
  const all: Change[] = [];
  for (let page = await store.changes({ limit: 1000 }); page.length > 0; page = await store.changes({ after: all.at(-1)!.seq, limit: 1000 })) all.push(...page);
  return all;
}

/** The checks after a kill, on the reopened store; gives the newest seq. */
async function expectLogAndSneksAgree(store: FsSnekStore): Promise<number> {
  expect((await readdir(storeDir())).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  const all = await everyChange(store);
  for (let i = 1; i < all.length; i++) expect(all[i]!.seq).toBeGreaterThan(all[i - 1]!.seq);
  for (const [id, writes] of tried) {
    const own = all.filter((change) => change.id === id);
    expect(own.length).toBeLessThanOrEqual(KEEP);
    // Each change is a write the child tried, in the order it tried them.
    let at = -1;
    for (const change of own) {
      const found = writes.findIndex((write, i) => i > at && write.op === change.op && (change.op === 'put' ? write.content === change.snek!.content : write.seq === undefined || write.seq === change.seq));
      expect([id, change.seq, found > at]).toEqual([id, change.seq, true]);
      at = found;
      expect([id, change.actor]).toEqual([id, actorOf(id)]);
      if (writes[found]!.seq !== undefined) expect([id, change.seq]).toEqual([id, writes[found]!.seq]);
    }
    // Each acknowledged write is in the log, or older than the KEEP changes retention keeps of its id.
    for (const write of writes.filter((entry) => entry.seq !== undefined)) {
      if (own.some((change) => change.seq === write.seq)) continue;
      expect([id, write.seq, own.length === KEEP && own[0]!.seq > write.seq!]).toEqual([id, write.seq, true]);
    }
    // The snek, in memory and in its record file, is the newest change's.
    const newest = own.at(-1);
    const snek = await store.get(id);
    const record = await readFile(path.join(storeDir(), `${id}.json`), 'utf8').then((text) => JSON.parse(text) as unknown, () => undefined);
    expect([id, snek, record]).toEqual([id, newest?.snek, newest?.snek]);
  }
  return all.at(-1)?.seq ?? 0;
}

describe('kill -9 while a process writes through the fs store', () => {
  it(`loses no acknowledged change and leaves the log and the sneks agreeing, over ${CYCLES} kills`, async () => {
    let newest = 0;
    let acked = 0;
    let redone = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      acked += await writeUntilKilled(newest);
      const store = await FsSnekStore.open(storeDir(), { history: { keep: KEEP } });
      try {
        const seq = await expectLogAndSneksAgree(store);
        expect(seq).toBeGreaterThanOrEqual(newest);
        newest = seq;
        redone += (await store.status())['redoneAtOpen'] as number;
      } finally {
        await store.close();
      }
    }
    // Retention kept the journal short: it was compacted on the way.
    const lines = (await readFile(path.join(storeDir(), JOURNAL_FILE), 'utf8')).split('\n').length - 1;
    expect(lines).toBeLessThan(acked);
    console.log(`fs journal: ${CYCLES} kill -9 cycles, ${acked} acknowledged writes, ${redone} records redone at open, ${lines} journal lines at the end`);
  }, 120_000);
});
