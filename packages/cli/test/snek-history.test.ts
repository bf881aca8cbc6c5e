import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from '../../server/test/helpers/server-process.js';
import { fakeServer } from './helpers/fake-server.js';
import { expectOneLineError } from './helpers/one-line-error.js';
import { SNEK_BIN, runSnek } from './helpers/run-snek.js';

// snek log and snek restore, run as a child process against real servers on the memory store (it keeps history).
const TOKEN = 'history-admin';
const READER = 'history-reader';
const SNEKRC = `server:
  store: memory
  history: { keep: 1000 }
  auth:
    tokens:
      - { name: reader, env: HISTORY_READER, scopes: [read] }
`;

let dir: TempDir;
let server: ServerProcess;
beforeAll(async () => {
  dir = await tempDir('snek-history-');
  await dir.write('server/.snekrc', SNEKRC);
  server = await startServerProcess({ cwd: path.join(dir.path, 'server'), env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN, HISTORY_READER: READER }) });
});
afterAll(async () => {
  await server.stop();
  killAllServers();
  await dir.cleanup();
});

const snek = (args: string[], extra: NodeJS.ProcessEnv = {}, url = server.url) => runSnek(args, { cwd: dir.path, env: cleanEnv(dir.path, { SNEK_URL: url, SNEK_TOKEN: TOKEN, ...extra }) });
const write = (id: string, method: 'PUT' | 'DELETE', body?: object) =>
  fetch(`${server.url}/v1/sneks/${id}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
const art = (n: number) => ({ name: `Logged ${n}`, type: 'logged', content: `${'~'.repeat(n)}<\n` });
const revisionsOf = async (id: string) => ((await (await fetch(`${server.url}/v1/sneks/${id}/revisions?limit=500`)).json()) as { items: Array<{ seq: number; op: string; snek?: { content: string }; by: { name: string } | null }> }).items;
const LINE = /^(\d+) {2}(\d+ (?:second|minute|hour|day)s? ago) +(token \S+|-|.+?) {2}(put|delete)$/;

describe('the README', () => {
  it("runs the history session as shown, on a fresh server, all but how long ago", async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### History: `snek log` and `snek restore`'));
    const block = /```text\n([\s\S]*?)```/.exec(section)![1]!;
    const fresh = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: 'SNEK_ADMIN_TOKEN-value', SNEK_STORE: 'memory' }) });
    const env = cleanEnv(dir.path, { SNEK_URL: fresh.url, SNEK_TOKEN: 'SNEK_ADMIN_TOKEN-value', PATH: `${path.join(dir.path, 'bin')}:${process.env['PATH']}` });
    await chmod(await dir.write('bin/snek', `#!/bin/sh\nexec "${process.execPath}" "${SNEK_BIN}" "$@"\n`), 0o755);
    const steps = block.split(/^\$ /m).filter(Boolean).map((step) => ({ command: step.slice(0, step.indexOf('\n')), output: step.slice(step.indexOf('\n') + 1) }));
    expect(steps.map((step) => step.command.split(' ')[0])).toEqual(['printf', 'printf', 'snek', 'snek', 'snek', 'snek']);
    for (const { command, output } of steps) {
      const run = await runSnek(['-c', command], { cwd: dir.path, env, shell: 'bash' });
      expect({ command, code: run.code, stdout: anyAgo(run.stdout.toString()), stderr: run.stderr }).toEqual({ command, code: 0, stdout: anyAgo(output), stderr: '' });
    }
    expect(await fresh.stop()).toBe(0);
  }, 60_000);
});

/** The log with its "N seconds ago" column as "…": the only part of it that differs run to run. */
function anyAgo(text: string): string {
  return text.replace(/\d+ (?:second|minute|hour|day)s? ago +/g, '… ');
}

describe('snek log ID', () => {
  it('prints every revision newest first (seq, how long ago, who, op), as the API lists them', async () => {
    await write('logged', 'PUT', art(1));
    await write('logged', 'PUT', art(2));
    await write('logged', 'DELETE');
    const run = await snek(['log', 'logged']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const lines = run.stdout.toString().split('\n').filter(Boolean).map((line) => LINE.exec(line));
    expect(lines.every(Boolean)).toBe(true);
    const revisions = await revisionsOf('logged');
    expect(lines.map((m) => [Number(m![1]), m![3], m![4]])).toEqual(revisions.map((r) => [r.seq, 'token SNEK_ADMIN_TOKEN', r.op]));
    expect(lines.map((m) => m![4])).toEqual(['delete', 'put', 'put']);
  });

  it('shows a seeded pack snek as written by nobody', async () => {
    const run = await snek(['log', 'cute']);
    expect(run.stdout.toString()).toMatch(/^\d+ {2}\d+ \w+ ago {2}- {2}put\n$/);
  });

  it('--json prints the revisions exactly as the server gives them; --limit only the newest', async () => {
    const json = await snek(['log', 'logged', '--json']);
    expect(JSON.parse(json.stdout.toString())).toEqual(await revisionsOf('logged'));
    const two = await snek(['log', 'logged', '--limit', '2', '--json']);
    expect(JSON.parse(two.stdout.toString())).toEqual((await revisionsOf('logged')).slice(0, 2));
  });

  it('pages through a history longer than the server\'s largest page, each revision once, and --limit stops across pages', async () => {
    const count = 520;
    for (let start = 0; start < count; start += 40) {
      await Promise.all(Array.from({ length: Math.min(40, count - start) }, (_, i) => write('long', 'PUT', art(((start + i) % 50) + 1))));
    }
    const all = await snek(['log', 'long', '--json']);
    const seqs = (JSON.parse(all.stdout.toString()) as Array<{ seq: number }>).map((r) => r.seq);
    expect(seqs).toHaveLength(count);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(count);
    const some = await snek(['log', 'long', '--limit', '510']);
    expect(some.stdout.toString().split('\n').filter(Boolean)).toHaveLength(510);
  });

  it('an id with no history exits 1; a name for an id exits 2 with the id meant; no id and a bad --limit exit 2 with usage', async () => {
    expectOneLineError(await snek(['log', 'never-written']), 1, /The snek "never-written" has no history/);
    await write('with-a-name', 'PUT', { ...art(1), name: 'With A Name' });
    expectOneLineError(await snek(['log', 'With A Name']), 2, /"With A Name" is not an id.*Did you mean with-a-name\?/);
    expectOneLineError(await snek(['log']), 2, /^snek: snek log needs the ID of the snek whose history to show\. Usage: snek log ID \[--limit N\]\n$/);
    expectOneLineError(await snek(['log', 'logged', '--limit', '0']), 2, /--limit must be a whole number above 0/);
  });
});

describe('snek restore ID SEQ', () => {
  it('brings a deleted snek back (If-None-Match: *) and restores over a live one (If-Match), each a new change by the restorer', async () => {
    await write('undo', 'PUT', art(3));
    await write('undo', 'PUT', art(4));
    await write('undo', 'DELETE');
    const [, second, first] = await revisionsOf('undo');
    const back = await snek(['restore', 'undo', String(first!.seq)]);
    expect([back.code, back.stdout.toString(), back.stderr]).toEqual([0, `restored undo to revision ${first!.seq}\n`, '']);
    expect((await snek(['undo'])).stdout.toString()).toBe(art(3).content);
    const over = await snek(['restore', 'undo', String(second!.seq), '--json']);
    expect(JSON.parse(over.stdout.toString())).toEqual({ id: 'undo', seq: second!.seq, restored: true, created: false });
    expect((await snek(['undo', '--no-cache'])).stdout.toString()).toBe(art(4).content);
    const [newest, before] = await revisionsOf('undo');
    expect([newest!.op, newest!.snek?.content, before!.snek?.content]).toEqual(['put', art(4).content, art(3).content]);
  });

  it('a delete revision exits 2, an unknown seq 1, a read-only token 5; each restores nothing', async () => {
    await write('kept', 'PUT', art(5));
    await write('kept', 'DELETE');
    const [deleted] = await revisionsOf('kept');
    expectOneLineError(await snek(['restore', 'kept', String(deleted!.seq)]), 2, /is its delete, which has no snek to restore/);
    expectOneLineError(await snek(['restore', 'kept', '999999']), 1, /has no revision 999999/);
    const put = (await revisionsOf('kept'))[1]!.seq;
    expectOneLineError(await snek(['restore', 'kept', String(put)], { SNEK_TOKEN: READER }), 5, /needs write/);
    expect((await fetch(`${server.url}/v1/sneks/kept`)).status).toBe(404);
    expect(await revisionsOf('kept')).toHaveLength(2);
  });

  it('a missing or malformed argument exits 2 with usage', async () => {
    expectOneLineError(await snek(['restore']), 2, /^snek: snek restore needs the ID and the SEQ of the revision to restore \(snek log ID lists them\)\. Usage: snek restore ID SEQ\n$/);
    expectOneLineError(await snek(['restore', 'undo']), 2, /needs the SEQ of the revision to restore/);
    for (const seq of ['0', '1.5', '99999999999999999999']) expectOneLineError(await snek(['restore', 'undo', seq]), 2, /SEQ must be a revision's number, as snek log undo lists them/);
  });
});

describe('against other servers', () => {
  it('a store that keeps no history: snek log and snek restore exit 1 saying so', async () => {
    const store = fileURLToPath(new URL('../../server/test/fixtures/stores/no-conditional/', import.meta.url));
    await dir.write('no-log/.snekrc', `server:\n  store: { use: ${JSON.stringify(store)} }\n`);
    const noLog = await startServerProcess({ cwd: path.join(dir.path, 'no-log'), env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN }) });
    try {
      expectOneLineError(await snek(['log', 'cute'], {}, noLog.url), 1, /store keeps no history/);
      expectOneLineError(await snek(['restore', 'cute', '1'], {}, noLog.url), 1, /store keeps no history/);
    } finally {
      await noLog.stop();
    }
  });

  it('a server older than the CLI (404 for the route) exits 6 saying so, not "not a Snek API"', async () => {
    const old = await fakeServer((_req, res) => void res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ status: 404, code: 'ROUTE_NOT_FOUND', detail: 'There is no route' })));
    try {
      expectOneLineError(await snek(['log', 'cute'], {}, old.url), 6, /does not keep history \(GET \/v1\/sneks\/cute\/revisions answered 404\): it may be older than this CLI/);
    } finally {
      await old.close();
    }
  });

  it('sends If-Match with the ETag it read, and a change made in between (412) exits 7 restoring nothing', async () => {
    // A race the real server cannot be made to lose on cue: this one answers the GET, then refuses the restore.
    const racing = await fakeServer((req, res) => {
      if (req.method === 'GET') return void res.writeHead(200, { 'content-type': 'application/json', etag: '"seen"' }).end(JSON.stringify({ id: 'raced', ...art(1), updatedAt: null, updatedBy: null }));
      res.writeHead(412, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ status: 412, code: 'PRECONDITION_FAILED', detail: 'changed', currentEtag: '"newer"', current: { id: 'raced', name: 'x', type: 'y' } }));
    });
    try {
      expectOneLineError(await snek(['restore', 'raced', '3'], {}, racing.url), 7, /^snek: "raced" changed while it was being restored, so nothing was restored\. Run snek log raced/);
      const post = racing.requests.find((req) => req.method === 'POST')!;
      expect([post.url, post.headers['if-match'], post.headers['if-none-match']]).toEqual(['/v1/sneks/raced/revisions/3/restore', '"seen"', undefined]);
    } finally {
      await racing.close();
    }
  });

  it('sends If-None-Match: * when the snek is deleted', async () => {
    const gone = await fakeServer((req, res) => {
      if (req.method === 'GET') return void res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ status: 404, code: 'SNEK_NOT_FOUND', detail: 'none' }));
      res.writeHead(201, { 'content-type': 'application/json', etag: '"back"' }).end(JSON.stringify({ id: 'gone', ...art(2), updatedAt: '2026-01-01T00:00:00.000Z', updatedBy: { kind: 'token', name: 't' } }));
    });
    try {
      const run = await snek(['restore', 'gone', '8'], {}, gone.url);
      expect([run.code, run.stdout.toString(), run.stderr]).toEqual([0, 'restored gone to revision 8\n', '']);
      const post = gone.requests.find((req) => req.method === 'POST')!;
      expect([post.headers['if-none-match'], post.headers['if-match']]).toEqual(['*', undefined]);
    } finally {
      await gone.close();
    }
  });
});
