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
