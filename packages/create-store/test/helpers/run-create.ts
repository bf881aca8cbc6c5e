import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CREATE_BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

export interface CreateRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Our variables only: a `pnpm test` parent sets npm_config_user_agent, which changes the printed next steps.
export const baseEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: process.env['PATH'], HOME: process.env['HOME'], ...extra });

/** Runs the built create-snek-store as a child process, stdin not a terminal. */
export function runCreate(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CreateRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CREATE_BIN, ...args], { cwd: options.cwd, env: options.env ?? baseEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

/**
 * Runs it on a pseudo-terminal through util-linux `script`, typing each answer once its prompt shows.
 * A `\x03` answer is Ctrl-C. Resolves with everything the terminal showed.
 */
export function runCreateOnTerminal(args: string[], options: { cwd: string; answers: Array<[prompt: string, keys: string]> }): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, CREATE_BIN, ...args].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: options.cwd, env: baseEnv({ TERM: 'xterm' }), stdio: ['pipe', 'pipe', 'pipe'] });
    const answers = [...options.answers];
    let screen = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk;
      while (answers.length > 0 && screen.includes(answers[0]![0])) child.stdin.write(answers.shift()![1]);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}
