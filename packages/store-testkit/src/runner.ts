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
  /**
   * `timeout` is in milliseconds, as Jest and Vitest take it. node:test ignores a third argument; the kit knows
   * node:test's own `it` and `test` and gives them `{ timeout }` before the function instead.
   */
  (name: string, fn: () => Promise<void>, timeout?: number): unknown;
  /** Declares a test that is reported as skipped; its name says why. */
  skip(name: string, fn: () => void): unknown;
}

/** node:test's `it(name, options, fn)`. */
type OptionsFirst = (name: string, options: { timeout?: number }, fn: () => Promise<void>) => unknown;

/** node:test has no default time limit; without one, a store that deadlocks would hang the run. */
export const NODE_TEST_TIMEOUT = 30_000;

/**
 * Declares test `name` on `runner` with a time limit each runner honours. Without `timeout`, Jest and Vitest use
 * their own default (`testTimeout`), and node:test {@link NODE_TEST_TIMEOUT}.
 */
export function declareTest(runner: TestRunner, name: string, fn: () => Promise<void>, timeout: number | undefined): void {
  if (isNodeTest(runner.it)) (runner.it as unknown as OptionsFirst)(name, { timeout: timeout ?? NODE_TEST_TIMEOUT }, fn);
  else runner.it(name, fn, timeout);
}

/** True for node:test's `it` or `test`. getBuiltinModule loads it only as a module: no test run starts. */
function isNodeTest(it: TestFunction): boolean {
  const nodeTest = process.getBuiltinModule?.('node:test') as { it?: unknown; test?: unknown } | undefined;
  return nodeTest !== undefined && (it === nodeTest.it || it === nodeTest.test);
}

/** Jest's globals, loaded only when no runner is given: importing `@jest/globals` outside Jest throws. */
export async function jestRunner(): Promise<TestRunner> {
  const { describe, it, afterAll } = await import('@jest/globals');
  return { describe, it, afterAll };
}
