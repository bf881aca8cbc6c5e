/**
 * The part of a test runner the kit uses: what Jest's globals, Vitest's exports and `node:test` all have.
 * Pass `{ describe, it }` from any of them; `afterAll` (node:test calls it `after`) is needed only for `cleanup`.
 */
export interface TestRunner {
  describe(name: string, fn: () => void): unknown;
  it: TestFunction;
  afterAll?: (fn: () => Promise<void>) => unknown;
}

export interface TestFunction {
  /** `timeout` is in milliseconds; Jest and Vitest take it as the third argument, node:test has no default timeout and ignores it. */
  (name: string, fn: () => Promise<void>, timeout?: number): unknown;
  /** Declares a test that is reported as skipped; its name says why. */
  skip(name: string, fn: () => void): unknown;
}

/** Jest's globals, loaded only when no runner is given: importing `@jest/globals` outside Jest throws. */
export async function jestRunner(): Promise<TestRunner> {
  const { describe, it, afterAll } = await import('@jest/globals');
  return { describe, it, afterAll };
}
