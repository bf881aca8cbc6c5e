import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Snek } from '@snek/core';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { readRecord, type Candidate } from '../src/import-records.js';
import { jsonLines } from '../src/import-sources.js';
import { packChunk, unpackChunk } from '../src/parsed-chunk.js';

// A JSON-lines import is read, parsed and checked in a thread of its own (jsonl-worker.ts), which posts each chunk
// packed (parsed-chunk.ts). Held to the same lines read here in one thread: every record, in order, with its place.
let dir: TempDir;
let n = 0;
beforeAll(async () => {
  dir = await tempDir('snek-import-sources-');
});
afterAll(async () => {
  await dir.cleanup();
});

const slug = fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,10}[a-z0-9])?$/);
const snek: fc.Arbitrary<Snek> = fc.record({
  id: slug,
  name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((name) => !/\p{Cc}/u.test(name)),
  type: slug,
  content: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map((art) => art.replace(/[^\P{Cc}\t\n]/gu, '~') || '~'),
});
// Lines of every kind: sneks, history lines, blank lines, records that are not sneks and text that is not JSON.
const line = fc.oneof(
  snek.map((s) => JSON.stringify(s)),
  snek.map((s) => JSON.stringify({ name: s.name, type: s.type, content: s.content })),
  fc.constant(JSON.stringify({ change: { seq: 1, id: 'a', op: 'delete', actor: null, at: '2026-01-01T00:00:00.000Z' } })),
  fc.constantFrom('', '   ', '{"id": "x"}', '[1, 2]', 'null', '{not json', '{"id":"a\\u0000b","name":"n","type":"t","content":"c"}'),
);

/** The records as one thread reads them: each non-blank line, numbered from 1. */
function inOneThread(lines: readonly string[]): Candidate[] {
  return lines.flatMap((text, i) => (text.trim() ? [readRecord(text, i + 1)] : []));
}

async function viaThread(file: string): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  for await (const chunk of jsonLines(file).chunks) candidates.push(...chunk);
  return candidates;
}

describe('jsonLines', () => {
  it('packs a chunk and unpacks it as it was', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const candidates = inOneThread(lines);
        expect(unpackChunk(structuredClone(packChunk(candidates)))).toEqual(candidates);
      }),
    );
  });

  it('gives the records a thread reads, in order and with their places, across chunks of the file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 200 }), async (lines) => {
        const file = path.join(dir.path, `records-${n++}.jsonl`);
        await writeFile(file, lines.join('\n'));
        expect(await viaThread(file)).toEqual(inOneThread(lines));
      }),
      { numRuns: 20 },
    );
    // Megabyte chunks, and more of them than the reader reads ahead: every chunk comes, in order.
    const many = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ id: `s-${i}`, name: `Snek ${i}`, type: 't', content: `${'~'.repeat(200)}\n` }));
    const file = path.join(dir.path, 'many.jsonl');
    await writeFile(file, many.join('\n'));
    const read = await viaThread(file);
    expect(read).toHaveLength(30_000);
    expect(read.map((candidate) => ('snek' in candidate ? candidate.snek.id : candidate))).toEqual(many.map((_, i) => `s-${i}`));
  });

  it('stops its thread when the import stops reading early', async () => {
    const file = path.join(dir.path, 'early.jsonl');
    await writeFile(file, Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ id: `s-${i}`, name: `S ${i}`, type: 't', content: `${'~'.repeat(200)}\n` })).join('\n'));
    for await (const chunk of jsonLines(file).chunks) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
  });

  it('fails with the reading error, code and all', async () => {
    const error = await viaThread(path.join(dir.path, 'no-such-file.jsonl')).then(() => undefined, (failure: unknown) => failure as NodeJS.ErrnoException);
    expect(error?.code).toBe('ENOENT');
    expect(error?.message).toContain('no-such-file.jsonl');
  });
});
