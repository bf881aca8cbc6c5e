import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_CHANGES_LIMIT, type Change, type SnekStore, type StoreChangeLog } from '@snek/core';
import fs from '@snek/store-fs';
import postgres from '@snek/store-postgres';
import sqlite from '@snek/store-sqlite';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { TEST_PG_URL, pgAvailable } from '../../store-postgres/test/helpers/pg-available.js';
import { dropSchemas, uniqueSchema } from '../../store-postgres/test/helpers/test-schemas.js';
import { SNEK_SERVER_BIN, cleanEnv } from './helpers/server-process.js';

// `snek-server migrate` as a child process, between real stores: a sqlite source with history, into PostgreSQL and
// into an fs folder; resumed; refused into a store of its own; verified by digest.
type LogStore = SnekStore & StoreChangeLog;
const ADA = { kind: 'person' as const, id: 'sub-ada', name: 'Ada' };

const available = await pgAvailable();
const describePg = available ? describe : describe.skip;
const schemas = [uniqueSchema('migrate'), uniqueSchema('migrate_foreign'), uniqueSchema('migrate_unlogged'), uniqueSchema('migrate_follow')];
let dir: TempDir;

beforeAll(async () => {
  dir = await tempDir('snek-migrate-');
  await dir.write('.snekrc', 'server:\n  packs: []\n  store: { use: sqlite, options: { file: data/sneks.db } }\n');
});
afterAll(async () => {
  if (available) await dropSchemas(schemas);
  await dir.cleanup();
});

function migrate(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return migrateIn(dir.path, ...args);
}

function migrateIn(cwd: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [SNEK_SERVER_BIN, 'migrate', ...args], { cwd, env: cleanEnv(cwd), stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, ...out })));
}

async function withSource<T>(work: (store: LogStore) => Promise<T>): Promise<T> {
  const store = (await sqlite.create({ file: 'data/sneks.db' }, { configDir: dir.path })) as LogStore;
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function everyChange(store: LogStore): Promise<Change[]> {
  const all: Change[] = [];
  for (let after = 0; ; ) {
    const page = await store.changes({ after, limit: MAX_CHANGES_LIMIT });
    if (!page.length) return all;
    all.push(...page);
    after = page.at(-1)!.seq;
  }
}

const digests = (stdout: string) => [...stdout.matchAll(/^(source|target) \w+: (\d+) sneks, sha256 ([0-9a-f]{64})$/gm)].map((m) => [m[2], m[3]]);
const toPg = (schema: string) => JSON.stringify({ use: 'postgres', options: { url: TEST_PG_URL, schema } });

describe('snek-server migrate', () => {
  beforeAll(async () => {
    await withSource(async (store) => {
      for (let i = 0; i < 30; i++) await store.put({ id: `s${i % 12}`, name: `S ${i % 12}`, type: i % 2 ? 'odd' : 'even', content: `art ${i}\n\t🐍 "quoted" \\ \n` }, { actor: ADA });
      await store.delete('s3', { actor: ADA });
    });
  });

  it('refuses without a target (exit 2), with a --to that is not a store (exit 2), and into the configured store itself (exit 2)', async () => {
    for (const args of [[], ['--to', '{nope'], ['--to', '{"use":"memory","extra":1}'], ['--to', '{"use":"sqlite","options":{"file":"data/sneks.db"}}']]) {
      const run = await migrate(...args);
      expect([args, run.code, run.stderr.trim().split('\n').length]).toEqual([args, 2, 1]);
      expect(run.stderr).toMatch(/^snek-server: USAGE: /);
    }
  });

  it('refuses a --batch or --poll-ms that is not a whole number in range (exit 2), in one line naming it', async () => {
    for (const [flag, value] of [['--batch', 'foo'], ['--batch', '0'], ['--poll-ms', 'NaN'], ['--poll-ms', '2.5']] as const) {
      const run = await migrate('--to', '{"use":"memory"}', flag, value);
      expect([flag, value, run.code, run.stdout, run.stderr.trim().split('\n').length]).toEqual([flag, value, 2, '', 1]);
      expect(run.stderr).toMatch(new RegExp(`^snek-server: USAGE: ${flag} must be a whole number from \\d+ to \\d+\\. `));
    }
  });

  it('copies into an fs folder (a path relative to the config) with history, and verifies', async () => {
    const run = await migrate('--to', '{"use":"fs","options":{"dir":"copy"}}');
    expect([run.code, run.stderr]).toEqual([0, '']);
    const [source, target] = digests(run.stdout);
    expect(source).toEqual(target);
    expect(source![0]).toBe('11');
    const copy = (await fs.create({ dir: 'copy' }, { configDir: dir.path })) as LogStore;
    try {
      expect(await everyChange(copy)).toEqual(await withSource(everyChange));
    } finally {
      await copy.close();
    }
  });

  it('resumes a run that stopped part way, from the seq the target holds, and ends with the same log', async () => {
    // What a run killed after its first batches leaves: the oldest changes replayed, nothing else.
    const partial = (await fs.create({ dir: 'partial' }, { configDir: dir.path })) as LogStore & { replayChanges(changes: readonly Change[]): Promise<void> };
    const first = await withSource((store) => store.changes({ limit: 10 }));
    await partial.replayChanges(first);
    await partial.close();
    const run = await migrate('--to', '{"use":"fs","options":{"dir":"partial"}}');
    expect([run.code, run.stderr]).toEqual([0, `snek-server migrate: resuming: the target holds the source's changes up to seq ${first.at(-1)!.seq}\n`]);
    expect(run.stdout).toMatch(/^verified: the same \d+ sneks on both sides$/m);
    const copy = (await fs.create({ dir: 'partial' }, { configDir: dir.path })) as LogStore;
    try {
      expect(await everyChange(copy)).toEqual(await withSource(everyChange));
    } finally {
      await copy.close();
    }
  });

  describePg('into PostgreSQL', () => {
    it('copies every snek and change, resumes where the target stands, and carries later changes on the next run', async () => {
      const first = await migrate('--to', toPg(schemas[0]!));
      expect([first.code, first.stderr]).toEqual([0, '']);
      expect(first.stdout).toMatch(/^migrated sqlite -> postgres: 31 changes replayed with their history, 0 sneks without history copied; source seq 31$/m);
      expect(first.stdout).toMatch(/^verified: the same 11 sneks on both sides$/m);
      await withSource(async (store) => {
        await store.put({ id: 'later', name: 'Later', type: 'odd', content: 'after the first run\n' });
        await store.delete('s4', { actor: ADA });
      });
      const second = await migrate('--to', toPg(schemas[0]!));
      expect(second.code).toBe(0);
      expect(second.stderr).toContain('resuming: the target holds the source\'s changes up to seq 31');
      expect(second.stdout).toMatch(/: 2 changes replayed with their history, .*; source seq 33, resumed at seq 31$/m);
      const target = (await postgres.create({ url: TEST_PG_URL, schema: schemas[0] }, { configDir: dir.path })) as LogStore;
      try {
        expect(await everyChange(target)).toEqual(await withSource(everyChange));
      } finally {
        await target.close();
      }
    });

    it('refuses a target holding writes of its own (exit 1); --force copies over it, and the extra snek fails verification (exit 5)', async () => {
      const target = (await postgres.create({ url: TEST_PG_URL, schema: schemas[1] }, { configDir: dir.path })) as LogStore;
      await target.put({ id: 'theirs', name: 'Theirs', type: 'own', content: 'not from the box\n' });
      await target.close();
      const refused = await migrate('--to', toPg(schemas[1]!));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^snek-server: MIGRATE_TARGET_FOREIGN: The target postgres store holds changes up to seq 1 \(put theirs at .*\) that the source's log does not have, .* pass --force .*\n$/);
      const forced = await migrate('--to', toPg(schemas[1]!), '--force');
      expect(forced.code).toBe(5);
      expect(forced.stdout).toMatch(/without history/);
      const [source, copy] = digests(forced.stdout);
      expect([source![0], copy![0]]).toEqual(['11', '12']);
      expect(forced.stderr).toMatch(/^snek-server: MIGRATE_MISMATCH: The target differs from the source: 12 sneks against 11/);
    });

    it('--follow applies the source\'s new writes, and stops with REPLAY_CONFLICT (exit 1) once the target takes a write of its own', async () => {
      const child = spawn(process.execPath, [SNEK_SERVER_BIN, 'migrate', '--to', toPg(schemas[3]!), '--follow', '--poll-ms', '50'], { cwd: dir.path, env: cleanEnv(dir.path), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const caughtUp = async (seq: number) => {
        for (let i = 0; i < 400 && !stderr.includes(`caught up at seq ${seq};`); i++) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(stderr).toContain(`caught up at seq ${seq};`);
      };
      const newest = await withSource(async (store) => (await store.changes({ order: 'desc', limit: 1 }))[0]!.seq);
      await caughtUp(newest);
      await withSource((store) => store.put({ id: 'followed', name: 'Followed', type: 'odd', content: 'while following\n' }, { actor: ADA }));
      await caughtUp(newest + 1);
      const target = (await postgres.create({ url: TEST_PG_URL, schema: schemas[3] }, { configDir: dir.path })) as LogStore;
      try {
        expect((await target.get('followed'))?.content).toBe('while following\n');
        // A write straight into the target takes the next seq there, which the source gives to its next write.
        await target.put({ id: 'direct', name: 'Direct', type: 'odd', content: 'not through migrate\n' });
        await withSource((store) => store.put({ id: 'lost', name: 'Lost', type: 'odd', content: 'would go under it\n' }));
        expect(await exited).toBe(1);
        expect(stderr).toMatch(/\nsnek-server: REPLAY_CONFLICT: The postgres store holds a write of its own at seq \d+ \(put direct at .*\n$/);
        expect(await target.get('lost')).toBeUndefined();
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await target.close();
      }
    });

    it('copies sneks from before the source kept a log, after its history, and verifies them', async () => {
      // An fs folder whose records predate its journal: three sneks with no change, then one put that has one.
      const old = ['old-a', 'old-b', 'old-c'].map((id) => ({ id, name: id, type: 'old', content: `${id} from before the journal\n` }));
      for (const snek of old) await dir.write(`unlogged/sneks/${snek.id}.json`, JSON.stringify(snek));
      await dir.write('unlogged/.snekrc', 'server:\n  packs: []\n  store: { use: fs, options: { dir: sneks } }\n');
      const box = (await fs.create({ dir: 'sneks' }, { configDir: `${dir.path}/unlogged` })) as LogStore;
      await box.put({ id: 'new-d', name: 'new-d', type: 'new', content: 'logged\n' }, { actor: ADA });
      const log = await everyChange(box);
      await box.close();
      const run = await migrateIn(`${dir.path}/unlogged`, '--to', toPg(schemas[2]!));
      expect([run.code, run.stderr]).toEqual([0, '']);
      expect(run.stdout).toMatch(/: 1 changes replayed with their history, 3 sneks without history copied; source seq 1$/m);
      expect(run.stdout).toMatch(/^verified: the same 4 sneks on both sides$/m);
      const target = (await postgres.create({ url: TEST_PG_URL, schema: schemas[2] }, { configDir: dir.path })) as LogStore;
      try {
        for (const snek of old) expect(await target.get(snek.id)).toEqual(snek);
        expect((await everyChange(target))[0]).toEqual(log[0]);
      } finally {
        await target.close();
      }
    });
  });
});
