import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { SnekError } from '@snek/core';

/** Where an export goes: `write` resolves once the text is taken (backpressure), `commit` once it is all in place. */
export interface LineSink {
  write(text: string): Promise<void>;
  /** Everything written is complete: make it visible. */
  commit(): Promise<void>;
  /** The export failed: leave nothing that looks complete. */
  abort(): Promise<void>;
}

/**
 * A file written beside its final name and renamed over it once complete and fsynced, so a failed or killed export
 * leaves at most a `.FILE.<pid>.partial` file, never a half FILE.
 */
export async function fileSink(file: string): Promise<LineSink> {
  const final = path.resolve(file);
  const temp = path.join(path.dirname(final), `.${path.basename(final)}.${process.pid}.partial`);
  let handle;
  try {
    // Readable by its owner only: it holds every snek and, with history, people's emails.
    handle = await open(temp, 'wx', 0o600);
  } catch (error) {
    throw new SnekError('USAGE', `Cannot write the export beside ${final} (${(error as Error).message}). Check that its folder exists and is writable.`, { cause: error });
  }
  const done = handle;
  return {
    write: async (text) => void (await done.write(text)),
    async commit() {
      await done.sync();
      await done.close();
      await rename(temp, final);
      const folder = await open(path.dirname(final), 'r');
      try {
        await folder.sync();
      } finally {
        await folder.close();
      }
    },
    async abort() {
      await done.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
    },
  };
}

/** A stream such as stdout: each write waits for 'drain' when the stream's buffer is full; its error fails the export. */
export function streamSink(stream: Writable): LineSink {
  let failure: Error | undefined;
  const onError = (error: Error) => (failure ??= error);
  stream.on('error', onError);
  const check = () => {
    if (failure) throw new SnekError('EXPORT_FAILED', `Cannot write the export: ${failure.message}.`, { cause: failure });
  };
  return {
    async write(text) {
      check();
      if (stream.write(text)) return;
      await new Promise<void>((resolve) => {
        const settle = () => {
          stream.off('drain', settle);
          stream.off('error', settle);
          stream.off('close', settle);
          resolve();
        };
        stream.on('drain', settle).on('error', settle).on('close', settle);
      });
      check();
    },
    async commit() {
      check();
      stream.off('error', onError);
    },
    async abort() {
      stream.off('error', onError);
    },
  };
}
