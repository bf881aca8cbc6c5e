import { spawn } from 'node:child_process';
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@snek/core';
import { readDocs } from '../../core/test/helpers/docs.js';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess } from '../../server/test/helpers/server-process.js';
import { EXIT } from '../src/exit-codes.js';
import { SNEK_BIN, runSnek } from './helpers/run-snek.js';

// The examples of the README and docs/ run here as written, so the docs cannot drift from the code.
const README = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
const DOCS = await readDocs();
const fenced = (text: string, lang: string) => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
// Console sessions are the README's (other guides test their own); config and code examples may live in any doc.
const blocks = (lang: string) => fenced(lang === 'console' ? README : DOCS, lang);

/** `$ command` lines, each with the output lines that follow it. */
function sessions(block: string): Array<{ command: string; output: string }> {
  const steps: Array<{ command: string; output: string }> = [];
  for (const line of block.split('\n').slice(0, -1)) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), output: '' });
    else steps.at(-1)!.output += `${line}\n`;
  }
  return steps;
}

function bash(command: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { env, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('snek-readme-');
  // `snek` on the PATH, as an installed CLI would be.
  await chmod(await dir.write('bin/snek', `#!/bin/sh\nexec "${process.execPath}" "${SNEK_BIN}" "$@"\n`), 0o755);
});
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
});

describe('README', () => {
  it('has console sessions to run', () => {
    expect(blocks('console').length).toBeGreaterThan(0);
  });

  it('console sessions print what the README shows, against a fresh server', async () => {
    const server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: 'readme' }) });
    const env = cleanEnv(dir.path, { SNEK_URL: server.url, SNEK_TOKEN: 'readme', PATH: `${path.join(dir.path, 'bin')}:${process.env['PATH']}` });
    for (const block of blocks('console')) {
      for (const { command, output } of sessions(block)) {
        const run = await bash(command, env, dir.path);
        expect({ command, code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ command, code: 0, stdout: output, stderr: '' });
      }
    }
    expect(await server.stop()).toBe(0);
  });

  it('the .snekrc example is valid, and its tokenEnv lets the CLI write', async () => {
    const [example] = blocks('yaml').filter((b) => b.startsWith('# .snekrc\n'));
    const file = await dir.write('yaml-example/.snekrc', example!);
    const env = cleanEnv(dir.path, { SNEK_WRITE_TOKEN: 'from-env' });
    const loaded = await loadConfig({ cwd: path.dirname(file), env });
    expect(loaded.filepath).toBe(file);
    const server = await startServerProcess({ cwd: path.dirname(file), env });
    const push = await runSnek(['push', '-', '--name', 'env token', '--type', 'readme', '--url', server.url, '--token', 'from-env'], { cwd: dir.path, env, input: 'ok\n' });
    expect([push.code, push.stdout.toString()]).toEqual([0, 'created env-token\n']);
    expect(await server.stop()).toBe(0);
  });

  it('the private-deployment example keeps anonymous readers out and scopes its tokens', async () => {
    const [example] = blocks('yaml').filter((b) => b.startsWith('# .snekrc of a private deployment'));
    const file = await dir.write('private-example/.snekrc', example!);
    const env = cleanEnv(dir.path, { SNEK_CI_TOKEN: 'ci-secret' });
    // Loopback only in tests: --host wins over the example's 0.0.0.0.
    const server = await startServerProcess({ cwd: path.dirname(file), env, args: ['--host', '127.0.0.1'] });
    const as = (token?: string, init: RequestInit = {}) => fetch(`${server.url}/v1/sneks/cute`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' } });
    const body = JSON.stringify({ name: 'c', type: 'c', content: 'c' });
    expect([(await as()).status, (await as('password')).status, (await as('password', { method: 'PUT', body })).status, (await as('ci-secret', { method: 'PUT', body })).status]).toEqual([401, 200, 403, 200]);
    expect(await server.stop()).toBe(0);
  });

  it('the store in the README loads through .snekrc and serves the sneks', async () => {
    const [store] = blocks('js').filter((b) => b.startsWith('// my-store.mjs'));
    await dir.write('store-example/my-store.mjs', store!);
    await dir.write('store-example/.snekrc', 'server: { store: ./my-store.mjs }\n');
    const server = await startServerProcess({ cwd: path.join(dir.path, 'store-example'), env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: 't' }) });
    expect(await (await fetch(`${server.url}/readyz`, { headers: { authorization: 'Bearer t' } })).json()).toEqual({ status: 'ready', store: 'my-store' });
    const cute = await runSnek(['--type', 'cute', '--url', server.url], { cwd: dir.path, env: cleanEnv(dir.path) });
    expect(cute.stdout.equals(await readFile(new URL('../../pack-classic/sneks/cute.txt', import.meta.url)))).toBe(true);
    const page = (await (await fetch(`${server.url}/v1/sneks?limit=2`)).json()) as { items: Array<{ id: string }>; nextCursor: string };
    const rest = (await (await fetch(`${server.url}/v1/sneks?limit=2&cursor=${page.nextCursor}`)).json()) as { items: Array<{ id: string }>; nextCursor: null };
    expect([...page.items, ...rest.items].map((s) => s.id)).toEqual(['cute', 'fancy', 'normal']);
    expect(rest.nextCursor).toBeNull();
    expect(await server.stop()).toBe(0);
  });

  it('the exit-code table matches the CLI', () => {
    const table = README.slice(README.indexOf('### Exit codes'));
    const documented = [...table.matchAll(/^\| (\d) \|/gm)].map((m) => Number(m[1]));
    expect(documented).toEqual(Object.values(EXIT));
  });
});
