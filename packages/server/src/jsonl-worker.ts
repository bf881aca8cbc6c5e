import { parentPort, workerData } from 'node:worker_threads';
import { fileLines } from './file-lines.js';
import { readRecord, type Candidate } from './import-records.js';
import { packChunk, type ParsedChunk } from './parsed-chunk.js';

/**
 * The thread that reads, parses and checks a JSON-lines import (import-sources.ts starts it), while the importing
 * thread writes the chunks before: at 1M sneks that is 1.6 s of its CPU done beside the store's work.
 */
export interface JsonlWorkerData {
  file: string;
  /** Chunks posted and not yet taken, at most: the reader stays that far ahead of the writes, not the file's length. */
  ahead: number;
}

export type JsonlWorkerMessage = { chunk: ParsedChunk } | { done: true } | { failed: { message: string; code?: string } };

const port = parentPort!;
const { file, ahead } = workerData as JsonlWorkerData;
let credits = ahead;
let wake: (() => void) | undefined;
// One message for each chunk the importing thread has taken.
port.on('message', () => {
  credits++;
  wake?.();
  wake = undefined;
});

const post = (message: JsonlWorkerMessage) => port.postMessage(message);

async function read(): Promise<void> {
  let n = 0;
  for await (const lines of fileLines(file)) {
    const candidates: Candidate[] = [];
    for (const line of lines) {
      n++;
      if (line.trim()) candidates.push(readRecord(line, n));
    }
    while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
    credits--;
    post({ chunk: packChunk(candidates) });
  }
}

read().then(
  () => post({ done: true }),
  (error: NodeJS.ErrnoException) => post({ failed: { message: error.message, ...(error.code ? { code: error.code } : {}) } }),
);
