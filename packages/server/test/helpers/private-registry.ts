import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const VERDACCIO_BIN = fileURLToPath(new URL('../../../../node_modules/verdaccio/bin/verdaccio', import.meta.url));

export interface PrivateRegistry {
  url: string;
  /** A userconfig with the registry and a publish token. */
  npmrc: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

// Our packages live only here; everything else is proxied from the public registry.
const CONFIG = `storage: ./storage
auth:
  htpasswd:
    file: ./htpasswd
    max_users: 100
uplinks:
  npmjs:
    url: https://registry.npmjs.org/
packages:
  '@snek/*':
    access: $all
    publish: $authenticated
  'snek-store-*':
    access: $all
    publish: $authenticated
  'snek-pack-*':
    access: $all
    publish: $authenticated
  '**':
    access: $all
    publish: $authenticated
    proxy: npmjs
log: { type: stdout, format: pretty, level: warn }
`;

/** Verdaccio on 127.0.0.1 with a fresh storage in `dir`, and a user whose token can publish. */
export async function startPrivateRegistry(dir: string): Promise<PrivateRegistry> {
  await writeFile(path.join(dir, 'config.yaml'), CONFIG);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child: ChildProcess = spawn(process.execPath, [VERDACCIO_BIN, '--config', './config.yaml', '--listen', `127.0.0.1:${port}`], { cwd: dir, stdio: 'ignore' });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ping = await fetch(`${url}-/ping`).catch(() => undefined);
      if (ping?.ok) break;
      if (Date.now() > deadline) throw new Error('verdaccio did not answer /-/ping within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const response = await fetch(`${url}-/user/org.couchdb.user:snek-ci`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'snek-ci', password: 'snek-ci-password' }),
    });
    const { token } = (await response.json()) as { token: string };
    const npmrc = path.join(dir, 'npmrc');
    await writeFile(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    return { url, npmrc, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs a command to the end, failing with its output if it exits non-zero. */
export function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`))));
  });
}

/** pnpm as the test itself was started (`pnpm test`), else `npx pnpm@10`. */
export function pnpm(): [string, string[]] {
  const execPath = process.env['npm_execpath'];
  return execPath && /pnpm/.test(execPath) ? [process.execPath, [execPath]] : ['npx', ['--yes', 'pnpm@10']];
}
