import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Snek, SnekStore } from '@snek/core';
import { MemorySnekStore } from '@snek/store-memory';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { importSneks } from '../src/import-sneks.js';

// Batches are 5,000 records: these files cross one or two batch ends, with ids repeated inside a batch and across
// batches, in id order or not, into a store that holds some of the ids already. Held to a plain model of the import:
// records in file order, an id the store held before is kept (or replaced with overwrite), the last record of any
// other id wins.
let dir: TempDir;
let n = 0;
beforeAll(async () => {
  dir = await tempDir('snek-import-batches-');
});
afterAll(async () => {
  await dir.cleanup();
});

/** The memory store with no putMany or createMany, as a third-party store may be: import falls back to put and putIf. */
function withoutBulkWrites(store: MemorySnekStore): SnekStore {
  const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(store)).filter((name) => name !== 'constructor' && name !== 'putMany' && name !== 'createMany');
  const source = store as unknown as Record<string, (...args: unknown[]) => unknown>;
  return Object.fromEntries(methods.map((name) => [name, (...args: unknown[]) => source[name]!(...args)])) as unknown as SnekStore;
}

const snekOf = (id: number, version: number): Snek => ({ id: `s-${String(id).padStart(5, '0')}`, name: `S ${id}`, type: 't', content: `v${version}\n` });

interface Case {
  ids: number[];
  before: number[];
  overwrite: boolean;
  bulk: boolean;
}

function model({ ids, before, overwrite }: Case) {
  const held = new Map<string, Snek>(before.map((id) => [snekOf(id, -1).id, snekOf(id, -1)]));
  const preexisting = new Set(held.keys());
  let imported = 0;
  let kept = 0;
  const created = new Set<string>();
  ids.forEach((id, version) => {
    const snek = snekOf(id, version);
    if (preexisting.has(snek.id) && !overwrite) {
      kept++;
      return;
    }
    if (!preexisting.has(snek.id)) created.add(snek.id);
    held.set(snek.id, snek);
    imported++;
  });
  return { sneks: [...held.values()].sort((a, b) => (a.id < b.id ? -1 : 1)), imported, created: created.size, kept };
}

async function run(testCase: Case) {
  const memory = new MemorySnekStore();
  for (const id of testCase.before) await memory.put(snekOf(id, -1));
  const store = testCase.bulk ? memory : withoutBulkWrites(memory);
  const file = path.join(dir.path, `in-${n++}.jsonl`);
  await writeFile(file, testCase.ids.map((id, version) => JSON.stringify(snekOf(id, version))).join('\n'));
  const report = await importSneks(store, { source: file, overwrite: testCase.overwrite });
  const sneks: Snek[] = [];
  for (let cursor: string | null | undefined; cursor !== null; ) {
    const page = await memory.list({ limit: 500, ...(cursor ? { cursor } : {}) });
    sneks.push(...page.items);
    cursor = page.nextCursor;
  }
  await memory.close();
  return { sneks, imported: report.imported, created: report.created, kept: report.kept };
}

// Ids drawn from a pool a little larger than a batch, so that repeats land both within and across batches.
const caseArb = fc.record({
  ids: fc.oneof(
    fc.array(fc.integer({ min: 0, max: 6000 }), { minLength: 4990, maxLength: 10_020 }),
    fc.integer({ min: 4990, max: 10_020 }).map((count) => Array.from({ length: count }, (_, i) => i)),
    fc.integer({ min: 4990, max: 10_020 }).map((count) => Array.from({ length: count }, (_, i) => i % 5003)),
    fc.array(fc.integer({ min: 0, max: 6000 }), { minLength: 4990, maxLength: 10_020 }).map((ids) => ids.sort((a, b) => a - b)),
  ),
  before: fc.array(fc.integer({ min: 0, max: 6000 }), { maxLength: 30 }),
  overwrite: fc.boolean(),
  bulk: fc.boolean(),
});

describe('importSneks across batches', () => {
  it('writes and counts as the model does: kept ids kept, the last record of any other id winning', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (testCase) => {
        expect(await run(testCase)).toEqual(model(testCase));
      }),
      // Shrinking arrays of thousands of ids takes minutes: a failure is reported as found.
      { numRuns: 12, endOnFailure: true },
    );
  }, 120_000);

  it.each([
    ['a repeat inside one batch', { ids: [1, 2, 1, 3], before: [], overwrite: false, bulk: true }],
    ['a repeat next to itself, in id order', { ids: [1, 2, 2, 3], before: [], overwrite: false, bulk: true }],
    ['a repeat in the next batch, in id order', { ids: [...Array.from({ length: 5000 }, (_, i) => i), 0, 4999], before: [], overwrite: false, bulk: true }],
    ['a repeat of a kept id in the next batch', { ids: [...Array.from({ length: 5000 }, (_, i) => i), 7], before: [7], overwrite: false, bulk: false }],
  ])('writes and counts as the model does for %s', async (_label, testCase) => {
    expect(await run(testCase)).toEqual(model(testCase));
  });

  it('reads a snek whose art holds U+2028 and U+2029 as one line, as an export writes it (readline on Node 24 broke it there)', async () => {
    const snek = { id: 'sep', name: 'Sep', type: 't', content: 'a\u2028b\u2029c\n' };
    const file = path.join(dir.path, `sep-${n++}.jsonl`);
    await writeFile(file, `${JSON.stringify(snek)}\n`);
    const store = new MemorySnekStore();
    const report = await importSneks(store, { source: file });
    expect([report.imported, report.skipped, await store.get('sep')]).toEqual([1, [], snek]);
    await store.close();
  });
});
