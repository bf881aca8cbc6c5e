import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { SNEK_SERVER_BIN, cleanEnv, killAllServers, runServerToExit, startServerProcess, type ServerProcess } from '../../server/test/helpers/server-process.js';

// Real snek-server processes on one fs folder, killed with SIGKILL as a crash or an OOM kill would.
const TOKEN = 'crash-lock-token';
const UNSHARE = ['--pid', '--fork', '--mount-proc'];
// The launcher dies with SIGKILL when a test ends early; this passes that on to the server inside.
const UNSHARE_KILL_CHILD = '--kill-child';
const unshareWorks = spawnSync('unshare', [...UNSHARE, 'true']).status === 0;
if (!unshareWorks && process.env['CI'] === 'true') throw new Error('unshare --pid --fork --mount-proc is not permitted here (CI=true, so this fails instead of skipping); run the tests as root.');

const asRoot = process.getuid?.() === 0;
// A checkout under a folder only root may enter (mktemp -d makes 0700 ones) leaves nobody unable to load the server.
const nobodyCanLoad = asRoot && spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(SNEK_SERVER_BIN)})`]).status === 0;
if (!asRoot && process.env['CI'] === 'true') throw new Error('the lock tests run a server as nobody, which needs root (CI=true, so this fails instead of skipping).');

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir('snek-crash-lock-');
  await dir.write('.snekrc', 'server:\n  store: { use: fs, options: { dir: data } }\n');
});
afterEach(async () => {
  killAllServers();
  await dir.cleanup();
});

const env = () => cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN, NODE: process.execPath, SERVER: SNEK_SERVER_BIN });

async function put(url: string, id: string): Promise<number> {
  const body = JSON.stringify({ name: id, type: 'kept', content: `${id}\n` });
  return (await fetch(`${url}/v1/sneks/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body })).status;
}

async function contentOf(url: string, id: string): Promise<string | undefined> {
  return ((await (await fetch(`${url}/v1/sneks/${id}`)).json()) as { content?: string }).content;
}

/** A launcher script: snek-server's arguments reach the server behind it. */
async function launcher(name: string, body: string): Promise<string> {
  const file = await dir.write(name, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

function exited(server: ServerProcess): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => server.child.once('exit', () => resolve()));
}

/** The pid, seen from here, of the server that unshare started. */
function serverInside(container: ServerProcess): number {
  const pid = container.child.pid!;
  return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim());
}

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The state letter of a process, from /proc/PID/stat (the field after the parenthesised name). */
function stateOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

describe('the fs lock after a crash', () => {
  const inContainerTitle = 'a server that is PID 1 in its container, killed with SIGKILL, is replaced by the next PID 1, which serves its acknowledged write';
  (unshareWorks ? it : it.skip)(unshareWorks ? inContainerTitle : `${inContainerTitle} (skipped: unshare --pid --fork --mount-proc is not permitted here)`, async () => {
    const inContainer = await launcher('container.sh', `exec unshare ${UNSHARE.join(' ')} ${UNSHARE_KILL_CHILD} "$NODE" "$SERVER" "$@"`);
    const first = await startServerProcess({ cwd: dir.path, env: env(), bin: inContainer });
    expect(await put(first.url, 'before-crash')).toBe(201);
    // unshare's child is the server, PID 1 in its namespace; killing it ends the container.
    process.kill(serverInside(first), 'SIGKILL');
    await exited(first);

    const second = await startServerProcess({ cwd: dir.path, env: env(), bin: inContainer });
    expect(await contentOf(second.url, 'before-crash')).toBe('before-crash\n');
    expect(await put(second.url, 'after-crash')).toBe(201);
    // unshare passes no signal on, so SIGTERM goes to the server itself; unshare exits with its code.
    process.kill(serverInside(second), 'SIGTERM');
    await exited(second);
    expect(second.child.exitCode).toBe(0);
  });

  it('a server killed with SIGKILL whose parent has not reaped it (a zombie) is replaced at once, and its acknowledged write is served', async () => {
    // sh starts the server, then becomes sleep, which never waits for its children: the killed server stays a zombie.
    const noReaper = await launcher('no-reaper.sh', '"$NODE" "$SERVER" "$@" &\necho "server pid $!"\nexec sleep 600');
    const first = await startServerProcess({ cwd: dir.path, env: env(), bin: noReaper });
    expect(await put(first.url, 'before-crash')).toBe(201);
    const serverPid = Number(/server pid (\d+)/.exec(first.output().stdout)![1]);
    process.kill(serverPid, 'SIGKILL');
    await until(`process ${serverPid} to become a zombie`, () => stateOf(serverPid) === 'Z');

    const second = await startServerProcess({ cwd: dir.path, env: env() });
    expect(stateOf(serverPid)).toBe('Z');
    expect(await contentOf(second.url, 'before-crash')).toBe('before-crash\n');
    expect(await second.stop()).toBe(0);
  });

  (nobodyCanLoad ? it : it.skip)(`a server of another user, who may not connect to the lock, refuses with STORE_LOCKED instead of taking a live server's lock${nobodyCanLoad ? '' : asRoot ? ' (skipped: user nobody cannot read this checkout, which sits in a folder only root may enter)' : ' (skipped: running a server as another user needs root)'}`, async () => {
    const first = await startServerProcess({ cwd: dir.path, env: env() });
    // The second user can read the site and write the folder, but not connect to the first server's socket.
    await chmod(dir.path, 0o755);
    await chmod(path.join(dir.path, 'data'), 0o777);
    const asNobody = await launcher('as-nobody.sh', 'exec setpriv --reuid=65534 --regid=65534 --clear-groups "$NODE" "$SERVER" "$@"');
    const second = await runServerToExit({ cwd: dir.path, env: env(), bin: asNobody });
    expect([second.code, second.stderr.includes('STORE_LOCKED')]).toEqual([1, true]);
    expect(await put(first.url, 'still-locked')).toBe(201);
    const third = await runServerToExit({ cwd: dir.path, env: env() });
    expect(third.stderr).toContain(`process ${first.child.pid}`);
    expect(await first.stop()).toBe(0);
  });

  it('a second live server on the folder still refuses with STORE_LOCKED naming the folder, the first keeps serving, and a third starts once the first stops', async () => {
    const first = await startServerProcess({ cwd: dir.path, env: env() });
    const second = await runServerToExit({ cwd: dir.path, env: env() });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('STORE_LOCKED');
    expect(second.stderr).toContain(path.join(dir.path, 'data'));
    expect(second.stderr).toContain(`process ${first.child.pid}`);
    expect(await put(first.url, 'still-mine')).toBe(201);
    expect(await first.stop()).toBe(0);
    const third = await startServerProcess({ cwd: dir.path, env: env() });
    expect(await contentOf(third.url, 'still-mine')).toBe('still-mine\n');
    expect(await third.stop()).toBe(0);
  });
});
