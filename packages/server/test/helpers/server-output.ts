import type { ServerProcess } from './server-process.js';

/**
 * Resolves once what `server` printed on stdout satisfies `done`: the event itself, not a sleep that hopes it came.
 * Rejects, showing the output, if the server exits first or `what` has not appeared within `ms` (a hang, not a timing).
 */
export function untilOutput(server: ServerProcess, what: string, done: (stdout: string) => boolean, ms = 20_000): Promise<void> {
  if (done(server.output().stdout)) return Promise.resolve();
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`snek-server had exited before ${what}:\n${server.output().stdout}`));
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      stop();
      reject(new Error(`${why} before ${what}:\n${server.output().stdout}\n${server.output().stderr}`));
    };
    const onData = () => {
      if (!done(server.output().stdout)) return;
      stop();
      resolve();
    };
    const onExit = (code: number | null) => fail(`snek-server exited with ${code}`);
    const timer = setTimeout(() => fail(`${ms / 1000} s went by`), ms);
    const stop = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
    };
    // The helper's own listener, added at launch, has already appended the chunk when this one runs.
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Resolves once `server` has printed a log line containing `text`. */
export const untilLogged = (server: ServerProcess, text: string, ms?: number): Promise<void> =>
  untilOutput(server, `it logged ${JSON.stringify(text)}`, (stdout) => stdout.includes(text), ms);
