import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const SNEK_BIN = fileURLToPath(new URL('../../bin/snek.cjs', import.meta.url));

export interface SnekRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the real `snek` binary as a child process and collects what it prints. */
export function runSnek(args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; input?: string; shell?: 'bash'; bin?: string }): Promise<SnekRun> {
  return new Promise((resolve, reject) => {
    // With `shell`, args go to bash, for tests of snek inside a pipeline; with `bin`, an installed snek runs.
    const [command, argv] = options.shell ? [options.shell, args] : options.bin ? [options.bin, args] : [process.execPath, [SNEK_BIN, ...args]];
    const child = spawn(command, argv, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout), stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface RunningSnek {
  /** Resolves with the first match of `pattern` in what it has printed on stderr so far or later. */
  stderrMatch(pattern: RegExp): Promise<RegExpExecArray>;
  /** The same on stdout. */
  stdoutMatch(pattern: RegExp): Promise<RegExpExecArray>;
  /** Sends a signal, as a terminal's Ctrl-C would (SIGINT). */
  signal(name: NodeJS.Signals): void;
  /** Resolves when it exits, with all it printed. */
  done: Promise<SnekRun>;
  kill(): void;
}

/** Starts the real `snek` and lets the test act while it runs: `snek login` waits for an approval in a browser. */
export function startSnek(args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs?: number }): RunningSnek {
  const child = spawn(process.execPath, [SNEK_BIN, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  let stderr = '';
  const waiting = new Set<() => void>();
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const wake = () => {
    for (const check of waiting) check();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout.push(chunk);
    wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
    wake();
  });
  const done = new Promise<SnekRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      wake();
      resolve({ code, stdout: Buffer.concat(stdout), stderr });
    });
  });
  const match = (stream: 'stdout' | 'stderr', pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const text = stream === 'stdout' ? Buffer.concat(stdout).toString() : stderr;
        const found = pattern.exec(text);
        if (found) {
          waiting.delete(check);
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          waiting.delete(check);
          reject(new Error(`snek exited (${child.exitCode ?? child.signalCode}) before printing ${pattern} on ${stream}:\n${text}\n${stream === 'stdout' ? stderr : ''}`));
        }
      };
      waiting.add(check);
      check();
    });
  return {
    done,
    kill: () => child.kill('SIGKILL'),
    signal: (name) => child.kill(name),
    stderrMatch: (pattern) => match('stderr', pattern),
    stdoutMatch: (pattern) => match('stdout', pattern),
  };
}
