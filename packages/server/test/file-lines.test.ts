import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { fileLines } from '../src/file-lines.js';

// fileLines replaces node:readline in import, with readline's lines as Node 20 gives them: broken at "\n", "\r\n" and a
// lone "\r" only. Node 24's readline also breaks at U+2028 and U+2029, which JSON.stringify leaves raw inside strings,
// so it would cut an exported snek in two; the reference here is the whole file decoded and split as Node 20 splits.
let dir: TempDir;
let n = 0;
beforeAll(async () => {
  dir = await tempDir('snek-file-lines-');
});
afterAll(async () => {
  await dir.cleanup();
});

async function viaReadline(file: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) lines.push(line);
  return lines;
}

/** What Node 20's readline gives (its lineEnding is /\r?\n|\r(?!\n)/g, and a last empty line is not one). */
function reference(bytes: Buffer): string[] {
  const lines = bytes.toString('utf8').split(/\r\n|\n|\r/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

async function viaFileLines(file: string, chunkBytes?: number): Promise<string[]> {
  const lines: string[] = [];
  for await (const chunk of fileLines(file, chunkBytes)) lines.push(...chunk);
  return lines;
}

async function expectReadlineLines(bytes: Buffer, chunkBytes?: number) {
  const file = path.join(dir.path, `f${n++}.jsonl`);
  await writeFile(file, bytes);
  const lines = await viaFileLines(file, chunkBytes);
  expect(lines).toEqual(reference(bytes));
  if (!bytes.includes('\u2028') && !bytes.includes('\u2029')) expect(lines).toEqual(await viaReadline(file));
}

// Line breaks of every kind, multi-byte UTF-8 that a chunk may cut, bytes that are not UTF-8, and a BOM.
const PIECES = ['a', '{"id":"x"}', ' ', '\n', '\r', '\r\n', '\n\r', '\r\r\n', 'é', '€', '🐍', '\uFEFF', '\u2028', '\u2029'].map((text) => Buffer.from(text));
const RAW = [[0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x90], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x80]].map((bytes) => Buffer.from(bytes));
const bytesArb = fc.array(fc.constantFrom(...PIECES, ...RAW), { maxLength: 60 }).map((parts) => Buffer.concat(parts));

describe('fileLines', () => {
  it('gives the lines readline gives, for any bytes and chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(bytesArb, fc.integer({ min: 1, max: 17 }), async (bytes, chunkBytes) => {
        await expectReadlineLines(bytes, chunkBytes);
      }),
      { numRuns: 400 },
    );
  });

  it.each([
    ['an empty file', ''],
    ['one line break', '\n'],
    ['a last line without a break', 'a\nb'],
    ['a final lone CR', 'a\r'],
    ['two final CRs', 'a\r\r'],
    ['CRLF, lone CR and LF mixed', 'a\r\nb\rc\nd\r\r\ne'],
    ['blank lines', '\n\n \n'],
    ['a BOM', '\uFEFF{"id":"a"}\n'],
    ['U+2028 and U+2029 inside a JSON string', `${JSON.stringify({ content: 'a\u2028b\u2029c\n' })}\n`],
  ])('gives the lines readline gives for %s', async (_label, text) => {
    await expectReadlineLines(Buffer.from(text));
    await expectReadlineLines(Buffer.from(text), 1);
  });

  it('gives the lines readline gives for a file of many chunks with lines longer than a chunk', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `${'€~'.repeat(i % 50)}${i % 7 === 0 ? '\r' : ''}`);
    await expectReadlineLines(Buffer.from(lines.join('\n')), 64);
    await expectReadlineLines(Buffer.from(`${lines.join('\r\n')}\r\n`));
  });
});
