/** The `@snek/core` a generated store is built for: its peer dependency, so it shares the server's copy. */
export const SNEK_CORE_RANGE = '^0.1.0';

/** The conformance kit the generated test runs. */
export const STORE_TESTKIT_RANGE = '^0.1.0';

// The tools this repository builds and tests its own stores with, so the generated package is tested as ours are.
// test/versions.test.ts keeps these equal to the root package.json.
export const DEV_TOOL_RANGES = {
  '@jest/globals': '^30.5.2',
  '@types/node': '^20.19.43',
  jest: '^30.5.2',
  'ts-jest': '^29.4.15',
  typescript: '~6.0.3',
} as const;
