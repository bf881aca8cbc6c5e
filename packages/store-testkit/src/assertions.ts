import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { SnekError, type SnekErrorCode } from '@snek/core';

/**
 * Deep, strict equality of plain data. Prototypes are dropped first: some drivers (node:sqlite) give rows
 * with a null prototype, and a store may hand those out as sneks.
 */
export function same(actual: unknown, expected: unknown, message?: string): void {
  assert.deepStrictEqual(structuredClone(actual), structuredClone(expected), message);
}

/** Asserts that `call` rejects (or throws) a SnekError with `code`; `what` names the call in the failure. */
export async function failsWith(code: SnekErrorCode, what: string, call: () => unknown): Promise<void> {
  const error = await Promise.resolve()
    .then(call)
    .then(() => undefined, (e: unknown) => e);
  if (error === undefined) assert.fail(`${what} resolved; it should fail with a SnekError ${code}`);
  assert.ok(SnekError.hasCode(error, code), `${what} should fail with a SnekError ${code}, but failed with: ${String(error)}`);
}

/** Asserts that `actual` equals, as {@link same} compares, one of `candidates`. */
export function sameAsOneOf(actual: unknown, candidates: readonly unknown[], message: string): void {
  const plain = structuredClone(actual);
  assert.ok(candidates.some((candidate) => isDeepStrictEqual(structuredClone(candidate), plain)), `${message}: ${JSON.stringify(actual)}`);
}
