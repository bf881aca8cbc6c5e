import assert from 'node:assert/strict';
import type { Snek } from '@snek/core';
import fc from 'fast-check';
import { same } from '../assertions.js';
import type { Harness } from '../harness.js';
import { pageThrough } from '../sample-sneks.js';

// Small pools, so random runs collide on ids, names and types often.
const idArb = fc.constantFrom('a', 'ab', 'a.b', 'a-b', 'b', 'b_1', 'z9');
const nameArb = fc.constantFrom('Sid', 'sid', 'Kaa', 'Nagini 🐍');
const typeArb = fc.constantFrom('cute', 'fancy', 'plain');
const contentArb = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '\\', '"', "'", '\t', '\n', 'é', '🐍', '~'), minLength: 1, maxLength: 16 });

type Op =
  | { kind: 'put'; snek: Snek }
  | { kind: 'delete'; id: string }
  | { kind: 'get'; id: string }
  | { kind: 'list'; name: string | undefined; type: string | undefined; limit: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('put' as const), snek: fc.record({ id: idArb, name: nameArb, type: typeArb, content: contentArb }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), id: idArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('get' as const), id: idArb }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('list' as const), name: fc.option(nameArb, { nil: undefined }), type: fc.option(typeArb, { nil: undefined }), limit: fc.integer({ min: 1, max: 4 }) }),
  },
);

/** What a store must answer, computed from a plain Map. */
function modelList(model: Map<string, Snek>, op: Extract<Op, { kind: 'list' }>): Snek[] {
  return [...model.values()]
    .filter((snek) => (op.name === undefined || snek.name === op.name) && (op.type === undefined || snek.type === op.type))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function modelSuite(harness: Harness): void {
  harness.describe('model-based random run', () => {
    const runs = harness.options.modelRuns ?? 200;
    harness.test(`${runs} random sequences of put, delete, get and list agree with a Map`, async (stores) => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
          const store = await stores.fresh();
          const model = new Map<string, Snek>();
          try {
            for (const op of ops) {
              if (op.kind === 'put') {
                same(await store.put(op.snek), { created: !model.has(op.snek.id) }, `put(${op.snek.id})`);
                model.set(op.snek.id, { ...op.snek });
              } else if (op.kind === 'delete') {
                assert.equal(await store.delete(op.id), model.delete(op.id), `delete(${op.id})`);
              } else if (op.kind === 'get') {
                same(await store.get(op.id), model.get(op.id), `get(${op.id})`);
              } else {
                const query = { limit: op.limit, ...(op.name === undefined ? {} : { name: op.name }), ...(op.type === undefined ? {} : { type: op.type }) };
                same(await pageThrough(store, query), modelList(model, op), `list(${JSON.stringify(query)})`);
              }
            }
          } finally {
            await stores.release(store);
          }
        }),
        { numRuns: runs },
      );
    }, 300_000);
  });
}
