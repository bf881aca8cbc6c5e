import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from '../../server/test/helpers/server-process.js';
import { expectOneLineError } from './helpers/one-line-error.js';
import { runSnek, startSnek } from './helpers/run-snek.js';

// `snek watch` against a real server A, while the writes go through another snek, to another server B on the same
// SQLite file: what A's tail reads, the watcher prints, and it keeps doing so across a restart of A.
const TOKEN = 'watch-token';

let dir: TempDir;
let a: ServerProcess;
let b: ServerProcess;
let serverEnv: NodeJS.ProcessEnv;
beforeAll(async () => {
  dir = await tempDir('snek-watch-');
  await dir.write('.snekrc', 'server:\n  store: { use: sqlite, options: { file: data/sneks.db } }\n  packs: []\n');
  serverEnv = cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN });
  // One after the other: opening a new file at once is sqlite-shared-file.test.ts's to test.
  a = await startServerProcess({ cwd: dir.path, env: serverEnv });
  b = await startServerProcess({ cwd: dir.path, env: serverEnv });
}, 60_000);
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
});

const cliEnv = (url: string) => cleanEnv(dir.path, { SNEK_TOKEN: TOKEN, SNEK_URL: url });

async function pushThroughB(id: string, type: string): Promise<void> {
  const run = await runSnek(['push', '-', '--name', id, '--type', type, '--id', id, '--replace'], { env: cliEnv(b.url), cwd: dir.path, input: `art of ${id}\n` });
  expect([run.code, run.stderr]).toEqual([0, '']);
}

const line = (id: string, op = 'put') => new RegExp(`^(\\d+)  \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  ${op.padEnd(6)}  ${id}  token SNEK_ADMIN_TOKEN$`, 'm');

describe('snek watch', () => {
  it('prints each change made through another server as it happens, resumes after a restart of its server with no gap, and exits 0 on Ctrl-C', async () => {
    const watcher = startSnek(['watch'], { env: cliEnv(a.url), cwd: dir.path });
    const typed = startSnek(['watch', '--json', '--type', 'cute'], { env: cliEnv(a.url), cwd: dir.path });
    await Promise.all([watcher.stderrMatch(/watching .* for changes/), typed.stderrMatch(/watching/)]);

    await pushThroughB('first', 'cute');
    await pushThroughB('plain', 'other');
    const [, firstSeq] = await watcher.stdoutMatch(line('first'));
    await watcher.stdoutMatch(line('plain'));

    // A restarts on its own port; what B writes meanwhile reaches the watchers once they resume after their last event.
    const port = Number(new URL(a.url).port);
    expect(await a.stop()).toBe(0);
    await Promise.all([watcher.stderrMatch(/ended; reconnecting in/), typed.stderrMatch(/ended; reconnecting in/)]);
    await pushThroughB('while-away', 'cute');
    a = await startServerProcess({ cwd: dir.path, env: serverEnv, port });
    await Promise.all([watcher.stderrMatch(/reconnected to/), typed.stderrMatch(/reconnected to/)]);
    await watcher.stdoutMatch(line('while-away'));
    const rm = await runSnek(['rm', 'first'], { env: cliEnv(b.url), cwd: dir.path });
    expect(rm.code).toBe(0);
    await watcher.stdoutMatch(line('first', 'delete'));
    await typed.stdoutMatch(/"op":"delete"/);

    watcher.signal('SIGINT');
    typed.signal('SIGINT');
    const [done, typedDone] = await Promise.all([watcher.done, typed.done]);
    expect(done.code).toBe(0);
    const printed = done.stdout.toString().trimEnd().split('\n');
    expect(printed.map((text) => text.split(/\s+/).slice(2, 4).join(' '))).toEqual(['put first', 'put plain', 'put while-away', 'delete first']);
    const seqs = printed.map((text) => Number(text.split('  ')[0]));
    expect(seqs[0]).toBe(Number(firstSeq));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));

    expect(typedDone.code).toBe(0);
    const events = typedDone.stdout.toString().trimEnd().split('\n').map((text) => JSON.parse(text) as { seq: number; id: string; op: string; snek?: { type: string }; by: unknown });
    expect(events.map((event) => `${event.op} ${event.id}`)).toEqual(['put first', 'put while-away', 'delete first']);
    expect(events[0]).toMatchObject({ seq: Number(firstSeq), snek: { id: 'first', type: 'cute', content: 'art of first\n' }, by: { kind: 'token', name: 'SNEK_ADMIN_TOKEN' } });
  });

  it('exits 4 with one line when its server cannot be reached at all, and 2 for a bad --type', async () => {
    const closed = 'http://127.0.0.1:9';
    expectOneLineError(await runSnek(['watch'], { env: cliEnv(closed), cwd: dir.path }), 4, /cannot reach the snek server at http:\/\/127\.0\.0\.1:9/);
    expectOneLineError(await runSnek(['watch', '--type', 'Not A Type'], { env: cliEnv(a.url), cwd: dir.path }), 2, /type/);
  });
});
