import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SNEK_SERVER = `${ROOT}packages/server/bin/snek-server.js`;
export const SNEK = `${ROOT}packages/cli/bin/snek.cjs`;

export async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Starts a server process and resolves once `probe` answers: /healthz with anything but a 5xx (the floor's 404 too),
 * /readyz with a 200, which it gives once the store answers. `ms` is spawn to that answer. Logs go nowhere.
 */
export async function startProcess(args, { cwd, env = {}, probe = '/healthz' } = {}) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...args.map((a) => (a === '$PORT' ? String(port) : a))], { cwd, env: { ...process.env, ...env }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited ${child.exitCode}`);
    const ok = await fetch(`${url}${probe}`).then((r) => (probe === '/healthz' ? r.status < 500 : r.status === 200), () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const ms = performance.now() - started;
  return {
    url,
    ms,
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024,
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))),
  };
}

/** snek-server on the store named in `cwd`'s .snekrc. */
export function startSnekServer(cwd, env = {}, { probe } = {}) {
  return startProcess([SNEK_SERVER, '--port', '$PORT'], { cwd, env, probe });
}
