import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { TestRunner } from '../src/index.js';

// The kit under node:test and Vitest, each run as a child process in a throwaway project that links in this
// workspace's packages. The examples in docs/writing-a-store.md and the kit's README are the test files.

// Compile time: each runner's own functions fit TestRunner (the repository's typecheck checks this file).
type Fits<T extends TestRunner> = T;
export type VitestFits = Fits<{ describe: typeof import('vitest').describe; it: typeof import('vitest').it; afterAll: typeof import('vitest').afterAll }>;
export type NodeTestFits = Fits<{ describe: typeof import('node:test').describe; it: typeof import('node:test').it; afterAll: typeof import('node:test').after }>;

const WORKSPACE = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const LINKS: Record<string, string> = {
  '@snek/core': 'packages/core',
  '@snek/store-memory': 'packages/store-memory',
  '@snek/store-testkit': 'packages/store-testkit',
  vitest: 'packages/store-testkit/node_modules/vitest',
};
const SKIPPED = ' — skipped: ';
const REASONS = {
  countTypes: 'the store has no countTypes() (StoreTypeCounter)',
  browse: 'the store has no browse() (StoreBrowse)',
  search: 'the store has no search() (StoreSearch)',
  bulkLoad: 'the store has no bulkLoad() (StoreBulkLoad)',
  putMany: 'the store has no putMany() (StoreBulkWriter)',
  createMany: 'the store has no createMany() (StoreBulkCreator)',
  seedLedger: 'the store has no seeded() and recordSeeded() (StoreSeedLedger)',
  status: 'the store has no status() (StoreStatusReporter)',
  conditionalWrite: 'the store has no putIf() and deleteIf() (StoreConditionalWriter)',
  changeLog: 'the store has no changes() and latestChanges() (StoreChangeLog)',
  changeFeed: 'the store has no watchChanges() (StoreChangeFeed)',
  snapshot: 'the store has no snapshot() (StoreSnapshot)',
  changeReplay: 'the store has no replayChanges() (StoreChangeReplay)',
  connectionPool: 'the store has no connectionPool() (StoreConnectionPool)',
  fileBackup: 'the store has no backupTo() (StoreFileBackup)',
  reopen: 'no reopen option was given',
};

const guide = await readFile(new URL('../../../docs/writing-a-store.md', import.meta.url), 'utf8');
const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
const blocks = (text: string) => [...text.matchAll(/```(?:ts|js)\n([\s\S]*?)```/g)].map((m) => m[1]!);
const exampleFor = (text: string, runner: string) => blocks(text).find((block) => block.includes(`from '${runner}'`));

const root = await mkdtemp(path.join(tmpdir(), 'snek-kit-runners-'));
afterAll(() => rm(root, { recursive: true, force: true }));
let projects = 0;

/** A project whose store (`src/index.js`, `dist/index.js`) is the memory store, with `testFile` in `test/`. */
async function project(testFile: string, text: string): Promise<string> {
  const dir = path.join(root, `project-${projects++}`);
  for (const folder of ['src', 'dist', 'test', 'node_modules/@snek']) await mkdir(path.join(dir, folder), { recursive: true });
  for (const [name, target] of Object.entries(LINKS)) await symlink(path.join(WORKSPACE, target), path.join(dir, 'node_modules', name));
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'snek-store-vault', type: 'module', private: true }));
  for (const entry of ['src/index.js', 'dist/index.js']) await writeFile(path.join(dir, entry), "export { default } from '@snek/store-memory';\n");
  await copyFile(path.join(FIXTURES, 'wrapped-stores.js'), path.join(dir, 'src/wrapped-stores.js'));
  await writeFile(path.join(dir, 'test', testFile), text);
  return dir;
}

interface RunResult {
  code: number | null;
  passed: number;
  failed: number;
  /** Names of the tests reported as skipped. */
  skipped: string[];
  /** Names of the tests (and, for node:test, suites) reported as failed. */
  failedNames: string[];
  output: string;
}

function run(dir: string, args: string[], store = ''): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], SNEK_KIT_STORE: store };
    const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function nodeTest(dir: string, store?: string): Promise<RunResult> {
  const { code, output } = await run(dir, ['--test', '--test-reporter=tap', 'test/conformance.test.js'], store);
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? NaN);
  const names = (pattern: RegExp) => [...output.matchAll(pattern)].map((m) => m[1]!);
  // A test that reaches its time limit is counted as cancelled, not failed.
  return { code, output, passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: names(/^\s*ok \d+ - (.*) # SKIP$/gm), failedNames: names(/^\s*not ok \d+ - (.*)$/gm) };
}

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

async function vitest(dir: string, store?: string): Promise<RunResult> {
  const { code, output } = await run(dir, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=json', '--outputFile=report.json'], store);
  const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8').catch(() => 'null')) as VitestReport | null;
  if (!report) throw new Error(`vitest wrote no report; its output:\n${output}`);
  const tests = report.testResults.flatMap((file) => file.assertionResults);
  const titles = (statuses: string[]) => tests.filter((test) => statuses.includes(test.status)).map((test) => test.title);
  // The JSON reporter prints no failure: its messages are in the report.
  const failures = tests.flatMap((test) => test.failureMessages).join('\n');
  return { code, output: `${output}${failures}`, passed: report.numPassedTests, failed: report.numFailedTests, skipped: titles(['skipped', 'pending']), failedNames: titles(['failed']) };
}

/** The reasons in the skipped tests' names, each once; every skipped name must carry one. */
function skipReasons(result: RunResult): string[] {
  for (const name of result.skipped) expect(name).toContain(SKIPPED);
  return [...new Set(result.skipped.map((name) => name.slice(name.indexOf(SKIPPED) + SKIPPED.length)))].sort();
}

const TYPE_CHECKS = [
  'orders ids by code units, as `<` does: "-" < "." < digits < "_" < letters, "10" < "9", "a-c" < "ab"',
  'filters by name, by type and by both, by exact match',
  'follows a snek whose name or type changes to its new filter',
  '200 random sequences of put, delete, get and list agree with a Map',
];

const HALF_CAPABILITY_CHECK = 'has every method of each optional capability or none of them (the server ignores a capability that is half there)';

const RUNNERS = [
  { runner: 'node:test', file: 'conformance.test.js', fixture: 'wrapped.node-test.js', runKit: nodeTest },
  { runner: 'vitest', file: 'conformance.test.ts', fixture: 'wrapped.vitest.js', runKit: vitest },
] as const;

describe.each(RUNNERS)('the kit under $runner', ({ runner, file, fixture, runKit }) => {
  it('runs the example in docs/writing-a-store.md, the same as in the kit README, against the memory store: passes, and skips what memory lacks', async () => {
    const example = exampleFor(guide, runner);
    expect(example).toBeDefined();
    expect(exampleFor(readme, runner)).toBe(example);
    const result = await runKit(await project(file, example!));
    expect([result.code, result.failed, result.failedNames]).toEqual([0, 0, []]);
    expect(result.passed).toBeGreaterThan(30);
    expect(skipReasons(result)).toEqual([REASONS.reopen, REASONS.putMany, REASONS.status, REASONS.changeFeed, REASONS.connectionPool, REASONS.fileBackup, REASONS.bulkLoad].sort());
  }, 120_000);

  it('reports every check of a capability the store lacks as skipped, each naming it; cleanup runs in afterAll', async () => {
    const dir = await project(file, await readFile(path.join(FIXTURES, fixture), 'utf8'));
    const result = await runKit(dir, 'bare');
    expect([result.code, result.failed, result.failedNames]).toEqual([0, 0, []]);
    expect(result.passed).toBeGreaterThan(30);
    expect(skipReasons(result)).toEqual(Object.values(REASONS).sort());
    // Every test of each capability suite: 5 countTypes, 4 putMany, 5 createMany, 6 seed ledger, 1 status, 10 putIf/deleteIf,
    // 19 change log, 3 change feed, 11 snapshot, 8 change replay, 1 connection pool, 2 file backup, 4 browse, 4 search,
    // 3 bulk load, 2 persistence.
    expect(result.skipped).toHaveLength(88);
    expect(await readFile(path.join(dir, 'cleaned-up'), 'utf8')).toBe('yes');
  }, 120_000);

  it('fails a store with putIf() but not deleteIf(), in the one check of whole capabilities, and skips the putIf() checks', async () => {
    const dir = await project(file, await readFile(path.join(FIXTURES, fixture), 'utf8'));
    const result = await runKit(dir, 'half-conditional');
    expect(result.code).not.toBe(0);
    expect(result.failed).toBe(1);
    expect(result.failedNames).toContain(HALF_CAPABILITY_CHECK);
    expect(result.output).toContain('conditionalWrite: has putIf but not deleteIf');
    expect(skipReasons(result)).toEqual(Object.values(REASONS).sort());
  }, 120_000);

  it('fails, each at its time limit, the checks that call a putIf() that never resolves, and runs the rest', async () => {
    const dir = await project(file, await readFile(path.join(FIXTURES, fixture), 'utf8'));
    const result = await runKit(dir, 'stuck');
    expect(result.code).not.toBe(0);
    // Nine of the ten putIf()/deleteIf() checks call putIf(); the fixture gives every test 1000 ms. Without a time
    // limit they would hang: the stuck putIf() keeps the process alive.
    expect(result.failed).toBe(9);
    const tests = result.failedNames.filter((name) => !name.endsWith('conforms to the Snek store contract v1') && !name.endsWith('(optional: StoreConditionalWriter)'));
    expect(tests.filter((name) => !name.includes('putIf'))).toEqual([]);
    expect(result.passed).toBeGreaterThan(30);
    expect(await readFile(path.join(dir, 'cleaned-up'), 'utf8')).toBe('yes');
  }, 120_000);

  it('fails a store whose list() ignores type, and reports which checks failed', async () => {
    const dir = await project(file, await readFile(path.join(FIXTURES, fixture), 'utf8'));
    const result = await runKit(dir, 'type-blind');
    expect(result.code).not.toBe(0);
    // Exactly the checks that filter by type, and nothing else.
    expect(result.failed).toBe(TYPE_CHECKS.length);
    expect(result.failedNames).toEqual(expect.arrayContaining(TYPE_CHECKS));
    expect(result.passed).toBeGreaterThan(20);
  }, 120_000);
});
