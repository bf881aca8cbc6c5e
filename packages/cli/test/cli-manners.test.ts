import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from '../../server/test/helpers/server-process.js';
import { COMMAND_FLAGS, GLOBAL_FLAGS } from '../src/completion.js';
import { answer, fakeServer } from './helpers/fake-server.js';
import { expectOneLineError } from './helpers/one-line-error.js';
import { SNEK_BIN, runSnek } from './helpers/run-snek.js';

const TOKEN = 'manners-token';

let dir: TempDir;
let server: ServerProcess;
beforeAll(async () => {
  dir = await tempDir('snek-manners-');
  server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN }) });
  const put = await fetch(`${server.url}/v1/sneks/snek-number-7`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Snek number 7', type: 'numbered', content: '7\n' }) });
  expect(put.status).toBe(201);
  // `snek` on the PATH, as the completion script calls it.
  await chmod(await dir.write('bin/snek', `#!/bin/sh\nexec "${process.execPath}" "${SNEK_BIN}" "$@"\n`), 0o755);
});
afterAll(async () => {
  await server.stop();
  killAllServers();
  await dir.cleanup();
});

const snek = (args: string[], extra: NodeJS.ProcessEnv = {}) => runSnek(args, { cwd: dir.path, env: cleanEnv(dir.path, { SNEK_URL: server.url, SHELL: '/bin/bash', ...extra }) });
const complete = async (words: string[], extra: NodeJS.ProcessEnv = {}) => {
  const run = await snek(['--get-yargs-completions', 'snek', ...words], extra);
  expect([run.code, run.stderr]).toEqual([0, '']);
  return run.stdout.toString().split('\n').filter(Boolean);
};
const COMMANDS = ['list', 'search', 'types', 'push', 'rm', 'log', 'restore', 'config', 'login', 'whoami', 'watch', 'logout', 'cache', 'completion'];

describe('snek completion', () => {
  it('offers the commands and the names of sneks for the first word, never "$0"', async () => {
    const words = await complete(['']);
    expect(words).toEqual(expect.arrayContaining([...COMMANDS, 'normal', 'cute', 'fancy', 'Snek number 7']));
    expect(words).not.toContain('$0');
    expect(await complete(['cu'])).toEqual(['cute']);
  });

  it('offers the types from the server after --type, and no commands', async () => {
    expect((await complete(['--type', ''])).sort()).toEqual(['cute', 'fancy', 'normal', 'numbered']);
    expect(await complete(['list', '--type', 'nu'])).toEqual(['numbered']);
  });

  it('offers the flags of the command, and the ids for rm, log and restore', async () => {
    expect(await complete(['--t'])).toEqual(['--type', '--token', '--timeout']);
    expect(await complete(['push', '-', '--'])).toEqual(expect.arrayContaining(['--name', '--type', '--id', '--replace', '--url', '--no-cache']));
    expect(await complete(['push', '-', '--name', 'x', '--'])).not.toContain('--name');
    expect(await complete(['rm', 'snek-'])).toEqual(['snek-number-7']);
    expect(await complete(['log', 'snek-'])).toEqual(['snek-number-7']);
    expect(await complete(['restore', 'snek-'])).toEqual(['snek-number-7']);
    expect(await complete(['log', '--l'])).toEqual(['--limit']);
    expect(await complete(['cache', ''])).toEqual(['clear']);
  });

  it('offers every flag that --help lists for each command', async () => {
    // `snek completion --help` prints the script, as yargs does; the others print their flags.
    for (const command of Object.keys(COMMAND_FLAGS).filter((c) => c !== 'completion')) {
      const help = (await snek([...(command ? [command] : []), '--help'])).stdout.toString();
      // The flags of the Options section: a wrapped command description may start a line with a flag too.
      const options = help.slice(help.indexOf('\nOptions:\n'));
      const listed = [...options.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!).map((flag) => (flag === '--cache' ? '--no-cache' : flag));
      expect({ command, flags: [...COMMAND_FLAGS[command]!, ...GLOBAL_FLAGS].sort() }).toEqual({ command, flags: expect.arrayContaining(listed) });
      expect(listed.length).toBeGreaterThan(5);
    }
  });

  it('a server that is down or silent gives no words and no message', async () => {
    const down = await fakeServer(() => {});
    const url = down.url;
    await down.close();
    expect(await complete(['--type', ''], { SNEK_URL: url })).toEqual([]);
    const silent = await fakeServer(() => {});
    try {
      expect(await complete([''], { SNEK_URL: silent.url })).toEqual(COMMANDS);
    } finally {
      await silent.close();
    }
  });

  it('the bash script it prints completes types through the real snek', async () => {
    const script = (await snek(['completion'])).stdout.toString();
    const probe = `${script}\nCOMP_WORDS=(snek --type ''); COMP_CWORD=2; _snek_yargs_completions; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const run = await runSnek(['-c', probe], { cwd: dir.path, env: cleanEnv(dir.path, { SNEK_URL: server.url, SHELL: '/bin/bash', PATH: `${path.join(dir.path, 'bin')}:${process.env['PATH']}` }), shell: 'bash' });
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout.toString().split('\n').filter(Boolean).sort()).toEqual(['cute', 'fancy', 'normal', 'numbered']);
  });
});

describe('usage errors', () => {
  it('push and rm without an argument say what is missing and how the command goes, with exit 2', async () => {
    expectOneLineError(await snek(['push']), 2, /^snek: snek push needs FILE \(or - for standard input\), --name NAME and --type TYPE\. Usage: snek push FILE\|- --name NAME --type TYPE \[--id ID\] \[--replace\]\n$/);
    expectOneLineError(await snek(['push', '-', '--type', 'x']), 2, /needs --name NAME\. Usage: snek push/);
    expectOneLineError(await snek(['rm']), 2, /^snek: snek rm needs the ID of the snek to delete\. Usage: snek rm ID\n$/);
  });

  it('snek rm "Snek number 7" suggests the id snek-number-7 and deletes nothing', async () => {
    expectOneLineError(await snek(['rm', 'Snek number 7', '--token', TOKEN]), 2, /"Snek number 7" is not an id.*Did you mean snek-number-7\?/);
    expectOneLineError(await snek(['rm', 'Snek Number 8', '--token', TOKEN]), 2, /not an id.*such as snek-number-8.*no snek "snek-number-8"/);
    expect((await fetch(`${server.url}/v1/sneks/snek-number-7`)).status).toBe(200);
  });

  it.each([[['--url', 'notaurl']], [['cute', '--url', 'notaurl']], [['list', '--url', 'localhost:8000']], [['rm', 'x', '--url=']]])('snek %j exits 2, saying what a URL looks like', async (args) => {
    expectOneLineError(await snek(args), 2, /--url .*is not a URL: give the server's address, like http:\/\/localhost:8000/);
  });

  it.each([[[]], [['cute']], [['list']]])('snek %j against a server that is down hints at snek-server, not pnpm', async (args) => {
    const down = await fakeServer(() => {});
    const url = down.url;
    await down.close();
    expectOneLineError(await snek(args, { SNEK_URL: url }), 4, `snek: cannot reach the snek server at ${url}: is it running? Start it with snek-server\n`);
  });
});

describe('login, whoami and logout on a server without sign-in', () => {
  it('snek login says the server offers no sign-in for the CLI, in one line, exit 5', async () => {
    expectOneLineError(await snek(['login']), 5, /^snek: the snek server at \S+ offers no sign-in for the CLI: it has no sign-in provider\. Use a token \(--token, SNEK_TOKEN or client\.token\)/);
  });

  it('snek whoami without a token is nobody, with the scopes anyone has; with a token, its name', async () => {
    const nobody = await snek(['whoami']);
    expect([nobody.code, nobody.stdout.toString(), nobody.stderr]).toEqual([0, `${server.url}: nobody (no token): run snek login, or give a token\nscopes: read\ntoken: not set\n`, '']);
    const admin = await snek(['whoami', '--json'], { SNEK_TOKEN: TOKEN });
    expect(JSON.parse(admin.stdout.toString())).toEqual({ actor: { kind: 'token', id: 'SNEK_ADMIN_TOKEN' }, scopes: ['read', 'write', 'admin'] });
    expectOneLineError(await snek(['whoami', '--token', 'not-a-token']), 5, /not valid on this server/);
  });

  it('a server older than the CLI (a 404 for /v1/auth and /v1/whoami) is named as such, exit 6', async () => {
    const older = await fakeServer(answer(404, 'application/problem+json', { type: 'about:blank', title: 'Not Found', status: 404, code: 'ROUTE_NOT_FOUND', detail: 'No such route.' }));
    try {
      expectOneLineError(await snek(['login'], { SNEK_URL: older.url }), 6, /does not say how to sign in \(GET \/v1\/auth answered 404\): it may be older than this CLI/);
      expectOneLineError(await snek(['whoami'], { SNEK_URL: older.url }), 6, /does not say who you are \(GET \/v1\/whoami answered 404\)/);
    } finally {
      await older.close();
    }
  });

  it('snek logout with nothing saved says "not logged in" and exits 0', async () => {
    const run = await snek(['logout']);
    expect([run.code, run.stdout.toString(), run.stderr]).toEqual([0, `not logged in to ${server.url}\n`, '']);
  });
});

describe('--no-cache', () => {
  it.each([[['list']], [['types']], [['config']], [['cache', 'clear']], [['cute']], [['--type', 'cute']], [['list', '--json']]])('snek %j --no-cache is accepted', async (args) => {
    const run = await snek([...args, '--no-cache']);
    expect([run.code, run.stderr]).toEqual([0, '']);
  });

  it('push and rm take it too', async () => {
    const push = await runSnek(['push', '-', '--name', 'No Cache', '--type', 'nocache', '--token', TOKEN, '--no-cache'], { cwd: dir.path, env: cleanEnv(dir.path, { SNEK_URL: server.url }), input: 'x\n' });
    expect([push.code, push.stdout.toString(), push.stderr]).toEqual([0, 'created no-cache\n', '']);
    const rm = await snek(['rm', 'no-such-snek', '--token', TOKEN, '--no-cache']);
    expectOneLineError(rm, 1, /no snek "no-such-snek"/);
  });
});
