import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileLines } from './file-lines.js';

/** A record read from a source, or why it could not be read; `at` is its place, named by its source's `where`. */
export type Candidate = { at: number; value: unknown } | { at: number; unreadable: string };

/** The records of an import's source, a chunk at a time: one await per chunk, not per record. */
export interface Source {
  chunks: AsyncIterable<Candidate[]>;
  /** "file.jsonl:12", or an art file's path: made only for a record that is skipped. */
  where(at: number): string;
}

/** A JSON-lines file: one record a line, blank lines left out. */
export function jsonLines(file: string): Source {
  return { chunks: parsedLines(file), where: (line) => `${file}:${line}` };
}

async function* parsedLines(file: string): AsyncGenerator<Candidate[]> {
  let n = 0;
  for await (const lines of fileLines(file)) {
    const candidates: Candidate[] = [];
    for (const line of lines) {
      n++;
      if (!line.trim()) continue;
      try {
        candidates.push({ at: n, value: JSON.parse(line) });
      } catch (error) {
        candidates.push({ at: n, unreadable: `not JSON (${(error as Error).message})` });
      }
    }
    yield candidates;
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
