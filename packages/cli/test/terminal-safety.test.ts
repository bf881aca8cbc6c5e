import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv } from '../../server/test/helpers/server-process.js';
import { fakeServer, type FakeServer } from './helpers/fake-server.js';
import { expectOneLineError } from './helpers/one-line-error.js';
import { runSnek } from './helpers/run-snek.js';

// Our server refuses control characters on PUT, so these strings come from a foreign server: what a
// compromised server, or a store written behind its back, could send.
const ESC = '\u001b';
const HOSTILE_DETAIL = `no${ESC}[31m red${ESC}]52;c;ZXZpbA==\u0007 bell\u0007 csi\u009b31m end\u007f del\u202e evil`;
const HOSTILE_SNEKS = [
  { id: `a${ESC}]52;c;QUFBQQ==\u0007b`, name: `n\u202eame${ESC}[2J`, type: `t${ESC}[31mx\u009b2J\u007f`, content: `he\u009b2Jllo${ESC}[31m\n` },
  { id: 'c', name: `second\u0085`, type: `t\u009d0;title\u009cx`, content: 'two\n' },
];
const HOSTILE_TYPES = [{ type: `t${ESC}[31mx\u0007\u009b\u007f`, count: 2 }];
const HOSTILE_REVISIONS = [
  { seq: 2, op: `put${ESC}[2J`, at: `then${ESC}]0;title\u0007`, by: { kind: 'person', name: `A\u202eda${ESC}[31m` } },
  { seq: 1, op: 'put', at: '2000-01-01T00:00:00.000Z', by: { kind: 'token', name: `c\u007fi` } },
];
// Anything that could drive a terminal: C0 but tab and newline, DEL, C1, and bidi overrides and isolates.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

let dir: TempDir;
let hostile: FakeServer;
beforeAll(async () => {
  dir = await tempDir('snek-terminal-');
  hostile = await fakeServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const json = (status: number, body: unknown, type = 'application/json') => res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
    if (req.method === 'GET' && url.pathname === '/v1/sneks') {
      const name = url.searchParams.get('name');
      return json(200, { items: name === 'one' ? HOSTILE_SNEKS.slice(0, 1) : HOSTILE_SNEKS, nextCursor: null });
    }
    if (req.method === 'GET' && url.pathname === '/v1/types') return json(200, { types: HOSTILE_TYPES });
    if (req.method === 'GET' && url.pathname === '/v1/sneks/x/revisions') return json(200, { items: HOSTILE_REVISIONS, nextCursor: null });
    json(403, { status: 403, code: 'FORBIDDEN', detail: HOSTILE_DETAIL }, 'application/problem+json');
  });
});
afterAll(async () => {
  await hostile.close();
  await dir.cleanup();
});

const snek = (args: string[], extra: NodeJS.ProcessEnv = {}) => runSnek(args, { cwd: dir.path, env: cleanEnv(dir.path, { SNEK_URL: hostile.url, SNEK_NO_CACHE: '1', ...extra }) });

describe('strings from a server never drive the terminal', () => {
  it("a problem's detail with CSI, OSC 52, BEL, C1 CSI, DEL and a bidi override prints as plain text", async () => {
    const run = await snek(['rm', 'x', '--token', 't']);
    expectOneLineError(run, 5, /^snek: no red bell csi end del evil\n$/);
    expect(run.stderr).not.toMatch(UNSAFE);
  });

  it('snek list prints ids, names and the type column without escapes', async () => {
    const run = await snek(['list']);
    expect(run.stdout.toString()).toBe('ab  name (tx)\nc   second (tx)\n');
    expect(run.code).toBe(0);
  });

  it('snek types prints types without escapes', async () => {
    const run = await snek(['types']);
    expect([run.code, run.stdout.toString()]).toEqual([0, 'tx    2\n']);
  });

  it.each([['the fast path', {}], ['the full CLI', { SNEK_CLI_FULL: '1' }]])('the "name (type)" headers and the art are safe on %s', async (_path, env) => {
    const run = await snek(['--type', 'x'], env);
    expect([run.code, run.stdout.toString()]).toEqual([0, 'name (tx)\nhello\n\nsecond (tx)\ntwo\n']);
    const one = await snek(['one'], env);
    expect([one.code, one.stdout.toString()]).toEqual([0, 'hello\n']);
  });

  it('snek log prints who, when and what without escapes', async () => {
    const run = await snek(['log', 'x']);
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).not.toMatch(UNSAFE);
    expect(run.stdout.toString().split('\n')[0]).toMatch(/^2 {2}then {2,}Ada {2,}put$/);
    expect(run.stdout.toString().split('\n')[1]).toMatch(/^1 {2}\d+ days ago {2}token ci {2}put$/);
  });

  it.each([[['list', '--json']], [['types', '--json']], [['--type', 'x', '--json']]])('snek %j escapes DEL, C1 and bidi controls, so the JSON is valid and unchanged', async (args) => {
    const run = await snek(args);
    const text = run.stdout.toString();
    expect(run.code).toBe(0);
    expect(text).not.toMatch(UNSAFE);
    expect(text).toMatch(/\\u009b|\\u007f/);
    const expected = args[0] === 'types' ? HOSTILE_TYPES : args[0] === 'list' ? HOSTILE_SNEKS.map(({ id, name, type }) => ({ id, name, type })) : HOSTILE_SNEKS;
    expect(JSON.parse(text)).toEqual(expected);
  });
});
