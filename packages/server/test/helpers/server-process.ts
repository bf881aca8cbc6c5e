import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const SNEK_SERVER_BIN = fileURLToPath(new URL('../../bin/snek-server.js', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Kills whatever a test left running; call from afterAll/afterEach. */
export function killAllServers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export interface RunOptions {
  cwd: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** An installed snek-server (node_modules/.bin/snek-server) instead of this workspace's. */
  bin?: string;
}

/** An environment with no SNEK_* settings of the developer's, and a home with no ~/.config/snek. */
export function cleanEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SNEK_') && key !== 'NODE_OPTIONS'));
  return { ...env, HOME: home, XDG_CONFIG_HOME: `${home}/.xdg`, SNEK_LOG_LEVEL: 'info', ...extra };
}

function launch({ cwd, args = [], env = {}, bin }: RunOptions): { child: ChildProcess; out: { stdout: string; stderr: string } } {
  const [command, argv] = bin ? [bin, args] : [process.execPath, [SNEK_SERVER_BIN, ...args]];
  const child = spawn(command, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const out = { stdout: '', stderr: '' };
  // Keep the first megabyte: enough for every check, and a server under load logs far more.
  const keep = (text: string, chunk: string) => (text.length < 1 << 20 ? text + chunk : text);
  // Decoded by the stream, so a character split between two chunks comes out whole.
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out.stdout = keep(out.stdout, chunk)));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out.stderr = keep(out.stderr, chunk)));
  return { child, out };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Starts `snek-server --port 0` (or `port`: a restart on the same URL) and resolves once it logs the URL it listens on. */
export async function startServerProcess(options: RunOptions & { port?: number }): Promise<ServerProcess> {
  const { child, out } = launch({ ...options, args: ['--port', String(options.port ?? 0), ...(options.args ?? [])] });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`snek-server did not start within 20 s:\n${out.stdout}\n${out.stderr}`)), 20_000);
    const onData = () => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(out.stdout);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`snek-server exited with ${code} before listening:\n${out.stderr}`));
    });
  });
  return {
    child,
    url,
    output: () => ({ ...out }),
    stop: async () => {
      child.kill('SIGTERM');
      return exitOf(child);
    },
  };
}

/** snek-server's commands other than serving, which take no --port. */
const SUBCOMMANDS = new Set(['verify-store', 'import', 'export', 'backup', 'migrate']);

/** Runs snek-server until it exits: a server expected to fail before listening, or a subcommand such as verify-store. */
export async function runServerToExit(options: RunOptions): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = options.args ?? [];
  const { child, out } = launch({ ...options, args: SUBCOMMANDS.has(args[0] ?? '') ? args : ['--port', '0', ...args] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await exitOf(child);
  clearTimeout(timer);
  return { code, ...out };
}
