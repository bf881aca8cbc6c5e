import type { Config } from 'jest';

// The suite in seven tiers (Jest projects), chosen by path: `load`, `soak`, `registry`, `browser`, `docs` and `unit` by the lists below, `e2e` for
// every other test file, so a new file that matches no rule still runs. Select with `--selectProjects unit e2e` or
// SNEK_TEST_TIERS=unit,e2e; .ci/README.md says which tier runs on which Node in CI, and why.
const TEST_FILES = '**/test/**/*.test.ts';

// 64 clients for 30 s per store: minutes of one process's throughput.
const LOAD = ['packages/server/test/load.test.ts'];

// Crash cycles, replica storms, fault injection, `@snek/server` installed alone from a private registry: long, mostly
// waiting on other processes, and what they find can depend on the Node that runs them (native builds, the sqlite
// driver, kill -9).
const SOAK = [
  'packages/server/test/crash.test.ts',
  'packages/server/test/pg-replicas.test.ts',
  'packages/server/test/pg-faults.test.ts',
  'packages/server/test/pg-changes.test.ts',
  'packages/server/test/pg-cache.test.ts',
  'packages/server/test/faults.test.ts',
  'packages/server/test/server-install.test.ts',
  'packages/server/test/restore-drill.test.ts',
];

// The plugin story through a private registry: third-party stores and packs installed with npm and pnpm, and a
// scaffolded store published and installed. Minutes of installs, whose result does not depend on the Node running
// the test (server-install.test.ts, in soak, covers the part that does).
const REGISTRY = ['packages/server/test/private-registry.test.ts', 'packages/server/test/scaffold-registry.test.ts'];

// Pages in real Chromium: what they check is the browser's side (forms, cookies, CSP, axe, the identity provider's
// pages), against a server whose HTTP the e2e tier checks on every Node.
const BROWSER = [
  'packages/server/test/web-browser.test.ts',
  'packages/server/test/web-editor.test.ts',
  'packages/server/test/web-history.test.ts',
  'packages/server/test/web-search.test.ts',
  'packages/server/test/sign-in-oidc.test.ts',
  'packages/auth-oidc/test/code-flow.test.ts',
];

// Docs whose commands a test runs as written: what they check is the doc's text (every command in it runs and does
// what it says), while the commands themselves are tested on every Node by export-import, migrate, metrics and the
// rest of e2e.
const DOCS = [
  'packages/server/test/backup-docs.test.ts',
  'packages/server/test/metrics-docs.test.ts',
  'packages/server/test/migrate-docs.test.ts',
  'packages/server/test/pack-docs.test.ts',
  'packages/server/test/auth-provider-docs.test.ts',
  'packages/auth-oidc/test/sign-in-docs.test.ts',
  'packages/cli/test/readme-examples.test.ts',
  'packages/store-postgres/test/readme.test.ts',
  'packages/create-store/test/readme.test.ts',
  'examples/snek-store-level/test/docs.test.ts',
];

// Pure code in the test's own process: no server, no child process, no database. A folder (ending in /) holds
// every test file under it.
const UNIT = [
  'packages/core/test/',
  'packages/store-memory/test/',
  'packages/auth-proxy/test/',
  'packages/auth-oidc/test/options.test.ts',
  'packages/server/test/history-view.test.ts',
  'packages/pack-classic/test/',
  'packages/create-store/test/names.test.ts',
  'packages/create-store/test/versions.test.ts',
  'examples/snek-pack-holidays/test/',
];

// As testMatch globs, and as testPathIgnorePatterns (regular expressions matched against the start of the path).
const inRepo = (paths: string[]) => paths.map((entry) => `<rootDir>/${entry}${entry.endsWith('/') ? '**/*.test.ts' : ''}`);
const ignoring = (paths: string[]) => paths.map((entry) => `<rootDir>/${entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

type Project = Exclude<NonNullable<Config['projects']>[number], string>;

// ESM all the way: tests import() real store packages from disk, as the server does.
const common: Project = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }] },
};

const TIERS: Record<string, Project> = {
  unit: { testMatch: inRepo(UNIT), testPathIgnorePatterns: ['/node_modules/', ...ignoring([...LOAD, ...SOAK, ...REGISTRY, ...BROWSER, ...DOCS])] },
  e2e: { testMatch: [TEST_FILES], testPathIgnorePatterns: ['/node_modules/', ...ignoring([...LOAD, ...SOAK, ...REGISTRY, ...UNIT, ...BROWSER, ...DOCS])] },
  docs: { testMatch: inRepo(DOCS) },
  browser: { testMatch: inRepo(BROWSER) },
  soak: { testMatch: inRepo(SOAK) },
  registry: { testMatch: inRepo(REGISTRY) },
  load: { testMatch: inRepo(LOAD) },
};

function selectedTiers(): string[] {
  const wanted = (process.env['SNEK_TEST_TIERS'] ?? '').split(/[\s,]+/).filter(Boolean);
  const unknown = wanted.filter((name) => !(name in TIERS));
  if (unknown.length > 0) throw new Error(`SNEK_TEST_TIERS names ${unknown.join(', ')}: the tiers are ${Object.keys(TIERS).join(', ')}.`);
  return wanted.length > 0 ? wanted : Object.keys(TIERS);
}

const config: Config = {
  // Global, not per project: Jest reads testTimeout only here.
  testTimeout: 30_000,
  testSequencer: '<rootDir>/jest.sequencer.mjs',
  projects: selectedTiers().map((tier) => ({ ...common, displayName: tier, ...TIERS[tier] })),
};

export default config;
