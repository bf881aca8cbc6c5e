import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_CHANGES_LIMIT, type Change, type SnekStore, type StoreChangeLog } from '@snek/core';
import postgres from '@snek/store-postgres';
import sqlite from '@snek/store-sqlite';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { TEST_PG_URL, pgAvailable } from '../../store-postgres/test/helpers/pg-available.js';
import { dropSchemas, uniqueSchema } from '../../store-postgres/test/helpers/test-schemas.js';
import { pgServerEnv, putSnek } from './helpers/pg-replicas.js';
import { SNEK_SERVER_BIN, killAllServers, startServerProcess, type ServerProcess } from './helpers/server-process.js';

// docs/deploying.md, "From one box to replicas", run as written: its files are the blocks that name one, its steps
// the lines of its sh blocks, in order (the test's own schema replaces "snek", and servers listen on port 0). A
// client writes all along, to the box and then to the replica; every write it saw acknowledged must be in
// PostgreSQL at the end, and the box's history with it.
const GUIDE = await readFile(new URL('../../../docs/deploying.md', import.meta.url), 'utf8');
const SECTION = GUIDE.slice(GUIDE.indexOf('## From one box to replicas'), GUIDE.indexOf('\n## ', GUIDE.indexOf('## From one box to replicas') + 1));
const BLOCKS = [...SECTION.matchAll(/^( *)```(\w+)(?: ([^\n]+))?\n([\s\S]*?)^\1```/gm)].map((m) => ({
  lang: m[2]!,
  name: m[3],
  text: m[4]!.split('\n').map((line) => line.slice(m[1]!.length)).join('\n'),
}));
const STEPS = BLOCKS.filter((block) => block.lang === 'sh').flatMap((block) => block.text.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter((line) => line && !line.startsWith('#')));

const available = await pgAvailable();
const describePg = available ? describe : describe.skip;

let dir: TempDir;
const schema = uniqueSchema('migrate_docs');

beforeAll(async () => {
  if (available) dir = await tempDir('snek-migrate-docs-');
});
afterAll(async () => {
  killAllServers();
  if (!available) return;
  await dropSchemas([schema]);
  await dir.cleanup();
});

interface Job {
  kind: 'server' | 'migrate';
  child: ChildProcess;
  server?: ServerProcess;
  out: { stdout: string; stderr: string };
}

/** Waits until `check` holds, up to `ms`. */
async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One client writing all along: each write is retried until acknowledged, to whichever server it is pointed at. */
function writer() {
  const acked: Array<{ id: string; content: string; via: 'box' | 'replica' }> = [];
  const state = { url: '', via: 'box' as 'box' | 'replica', stop: false, done: Promise.resolve() };
  state.done = (async () => {
    for (let i = 0; !state.stop; i++) {
      // 24 ids written again and again: history to carry, and a last write to check per id.
      const id = `w${i % 24}`;
      const content = `write ${i} of ${id}\n  ~~~<\n`;
      for (;;) {
        const via = state.via;
        const status = await putSnek(state.url, id, { name: `Writer ${id}`, type: 'written', content });
        if (status === 200 || status === 201) {
          acked.push({ id, content, via });
          break;
        }
        if (state.stop) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  })();
  return { acked, state };
}

async function everyChange(store: SnekStore & StoreChangeLog, until = Number.MAX_SAFE_INTEGER): Promise<Change[]> {
  const all: Change[] = [];
  for (let after = 0; ; ) {
    const page = await store.changes({ after, before: until + 1, limit: MAX_CHANGES_LIMIT });
    if (!page.length) return all;
    all.push(...page);
    after = page.at(-1)!.seq;
  }
}

describePg('docs/deploying.md: from one box to replicas', () => {
  it('its steps move a box under writes to PostgreSQL with every acknowledged write and its history', async () => {
    const files = BLOCKS.filter((block) => block.name !== undefined);
    expect(files.map((file) => file.name)).toEqual(['.snekrc', 'postgres.snekrc']);
    for (const file of files) {
      if (file.name === 'postgres.snekrc' && !file.text.includes('schema: snek\n')) throw new Error('postgres.snekrc in the guide no longer says "schema: snek", which this test replaces with its own.');
      await dir.write(file.name!, file.name === 'postgres.snekrc' ? file.text.replace('schema: snek\n', `schema: ${schema}\n`) : file.text);
    }
    const env = pgServerEnv(dir.path, TEST_PG_URL);
    const jobs: Job[] = [];
    const client = writer();
    const ackedVia = (via: 'box' | 'replica') => client.acked.filter((write) => write.via === via).length;
    let replica: ServerProcess | undefined;

    for (const step of STEPS) {
      const words = step.split(/\s+/);
      if (words[0] === 'snek-server' && words.at(-1) === '&') {
        let args = words.slice(1, -1);
        if (args[0] === 'migrate') {
          const child = spawn(process.execPath, [SNEK_SERVER_BIN, ...args], { cwd: dir.path, env, stdio: ['ignore', 'pipe', 'pipe'] });
          const out = { stdout: '', stderr: '' };
          child.stdout!.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
          child.stderr!.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
          jobs.push({ kind: 'migrate', child, out });
          const before = ackedVia('box');
          await until(() => out.stderr.includes('caught up at seq') || child.exitCode !== null, 'migrate to catch up');
          expect(child.exitCode).toBeNull();
          // The box goes on taking writes while migrate follows it.
          await until(() => ackedVia('box') >= before + 30, 'writes to the box while migrate follows');
        } else {
          // Servers listen on port 0 here; the guide's --port is its example of a real one.
          const port = args.indexOf('--port');
          if (port !== -1) args = [...args.slice(0, port), ...args.slice(port + 2)];
          const server = await startServerProcess({ cwd: dir.path, env, args });
          jobs.push({ kind: 'server', child: server.child, server, out: { stdout: '', stderr: '' } });
          if (jobs.length === 1) {
            client.state.url = server.url;
            await until(() => ackedVia('box') >= 30, 'the first writes to the box');
          } else replica = server;
        }
      } else if (words[0] === 'kill' && words.length === 3 && /^-(TERM|INT)$/.test(words[1]!) && /^%\d$/.test(words[2]!)) {
        jobs[Number(words[2]!.slice(1)) - 1]!.child.kill(`SIG${words[1]!.slice(1)}` as NodeJS.Signals);
      } else if (words[0] === 'wait' && words.length === 2 && /^%\d$/.test(words[1]!)) {
        const job = jobs[Number(words[1]!.slice(1)) - 1]!;
        const code = job.child.exitCode ?? (await new Promise<number | null>((resolve) => job.child.once('exit', resolve)));
        expect([step, code, job.out.stderr.slice(-2000)]).toEqual([step, 0, expect.any(String)]);
        if (job.kind === 'migrate') {
          expect(job.out.stdout).toMatch(/^verified: the same \d+ sneks on both sides$/m);
          // Migrate has applied the box's last write: the clients move to the replica.
          client.state.url = replica!.url;
          client.state.via = 'replica';
        }
      } else {
        throw new Error(`the guide has a step this test cannot run: ${step}`);
      }
    }
    expect(STEPS.length).toBeGreaterThanOrEqual(6);
    await until(() => ackedVia('replica') >= 30, 'writes to the replica after the switch-over');
    client.state.stop = true;
    await client.state.done;
    for (const job of jobs) if (job.child.exitCode === null) job.child.kill('SIGTERM');

    const box = (await sqlite.create({ file: 'data/sneks.db' }, { configDir: dir.path })) as SnekStore & StoreChangeLog;
    const target = (await postgres.create({ url: TEST_PG_URL, schema }, { configDir: dir.path })) as SnekStore & StoreChangeLog;
    try {
      // Every acknowledged write is there, byte for byte: each id holds the last one it was acknowledged.
      const last = new Map(client.acked.map((write) => [write.id, write.content]));
      for (const [id, content] of last) expect([id, (await target.get(id))?.content]).toEqual([id, content]);
      // The box's history came along as it was (seq, actor, time), and the replica's writes follow it.
      const boxLog = await everyChange(box);
      expect(boxLog.length).toBeGreaterThan(60);
      const boxSeq = boxLog.at(-1)!.seq;
      expect(await everyChange(target, boxSeq)).toEqual(boxLog);
      const after = (await everyChange(target)).filter((change) => change.seq > boxSeq);
      expect(after.map((change) => change.snek?.content)).toEqual(client.acked.filter((write) => write.via === 'replica').map((write) => write.content));
      for (const write of client.acked.filter((entry) => entry.via === 'box')) expect(boxLog.some((change) => change.id === write.id && change.snek?.content === write.content)).toBe(true);
    } finally {
      await Promise.all([box.close(), target.close()]);
    }
  }, 180_000);
});
