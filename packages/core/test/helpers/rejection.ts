import { SnekError } from '../../src/index.js';

/** The SnekError that `run` throws or rejects with; anything else (or no error) fails the test. */
export async function rejection(run: () => unknown): Promise<SnekError> {
  const error = await Promise.resolve().then(run).then(() => undefined, (e: unknown) => e);
  if (!SnekError.is(error)) throw new Error(`expected a SnekError, got ${String(error)}`);
  return error;
}
