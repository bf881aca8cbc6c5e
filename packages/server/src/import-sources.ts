import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Candidate } from './import-records.js';
import type { JsonlWorkerData, JsonlWorkerMessage } from './jsonl-worker.js';
import { unpackChunk } from './parsed-chunk.js';

/** The records of an import's source, a chunk at a time: one await per chunk, not per record. */
export interface Source {
  chunks: AsyncIterable<Candidate[]>;
  /** "file.jsonl:12", or an art file's path: made only for a record that is skipped. */
  where(at: number): string;
}

// The reader thread's built file: from dist/ and from src/ (the tests, by ts-jest) alike, `../dist/` is dist.
const READER = new URL('../dist/jsonl-worker.js', import.meta.url);
// Chunks (a megabyte of the file each) read ahead of the writes.
const AHEAD = 4;

/** A JSON-lines file: one record a line, blank lines left out, read and checked in a thread of its own. */
export function jsonLines(file: string): Source {
  return { chunks: readInThread(file), where: (line) => `${file}:${line}` };
}

async function* readInThread(file: string): AsyncGenerator<Candidate[]> {
  const reader = new Worker(READER, { workerData: { file, ahead: AHEAD } satisfies JsonlWorkerData });
  const inbox: JsonlWorkerMessage[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const woken = () => {
    wake?.();
    wake = undefined;
  };
  reader.on('message', (message: JsonlWorkerMessage) => {
    inbox.push(message);
    woken();
  });
  reader.on('error', (error) => {
    failure ??= error;
    woken();
  });
  reader.on('exit', (code) => {
    failure ??= new Error(`The thread reading ${file} stopped (exit code ${code}) before the end of the file.`);
    woken();
  });
  try {
    for (;;) {
      if (inbox.length === 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
      const message = inbox.shift();
      if (!message) throw failure;
      if ('done' in message) return;
      if ('failed' in message) throw Object.assign(new Error(message.failed.message), message.failed.code ? { code: message.failed.code } : {});
      reader.postMessage(null);
      yield unpackChunk(message.chunk);
    }
  } finally {
    await reader.terminate();
  }
}

/** Each file is one snek: its name without the extension is the name, and its slug the id. */
export async function artFiles(folder: string, type: string): Promise<Source> {
  const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  const files = entries.map((entry) => path.join(folder, entry.name));
  async function* chunks(): AsyncGenerator<Candidate[]> {
    for (const [at, entry] of entries.entries()) {
      if (!entry.isFile()) yield [{ at, unreadable: 'not a regular file' }];
      else yield [{ at, value: { name: path.parse(entry.name).name, type, content: await readFile(files[at]!, 'utf8') } }];
    }
  }
  return { chunks: chunks(), where: (at) => files[at]! };
}
