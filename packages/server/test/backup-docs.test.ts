import { spawnSync } from 'node:child_process';
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { TRICKY_CONTENT } from '../../store-testkit/src/sample-sneks.js';
import { TEST_PG_URL, pgAvailable } from '../../store-postgres/test/helpers/pg-available.js';
import { dropSchemas, uniqueSchema } from '../../store-postgres/test/helpers/test-schemas.js';
import { SNEK_SERVER_BIN, cleanEnv, runServerToExit } from './helpers/server-process.js';

// docs/operating.md, "Export, backup and restore": every sh block runs here as written, in bash, with snek-server on PATH.
const DOC = await readFile(new URL('../../../docs/operating.md', import.meta.url), 'utf8');
const START = DOC.indexOf('## Export, backup and restore');
const NEXT = DOC.indexOf('\n## ', START + 1);
const BLOCKS = [...DOC.slice(START, NEXT === -1 ? undefined : NEXT).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
const postgres = await pgAvailable();
const schema = uniqueSchema('opdocs');

let dir: TempDir;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  dir = await tempDir('snek-operating-');
  const bin = await dir.write('bin/snek-server', `#!/bin/sh\nexec "${process.execPath}" "${SNEK_SERVER_BIN}" "$@"\n`);
  await chmod(bin, 0o755);
  env = cleanEnv(dir.path, { PATH: `${path.dirname(bin)}:${process.env['PATH']}`, DATABASE_URL: TEST_PG_URL, SCHEMA: schema });
  const sneks = Object.values(TRICKY_CONTENT).map((content, i) => JSON.stringify({ id: `t${i}`, name: `Tricky ${i}`, type: 'tricky', content }));
  await dir.write('input.jsonl', `${sneks.join('\n')}\n`);
});
afterAll(async () => {
  await dir.cleanup();
  await dropSchemas([schema]);
});

/** Runs one block of the doc in `cwd`, failing with its output if any command fails. */
function runBlock(block: string, cwd: string): void {
  const result = spawnSync('bash', ['-euo', 'pipefail', '-c', block], { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the block\n${block}\nexited ${result.status}:\n${result.stdout}\n${result.stderr}`);
}
const snekServer = (cwd: string, ...args: string[]) => runServerToExit({ cwd, env, args });
async function exported(cwd: string): Promise<string> {
  const run = await snekServer(cwd, 'export');
  expect(run.code).toBe(0);
  return run.stdout;
}

describe('docs/operating.md, Export, backup and restore', () => {
  it('has the five command blocks these tests run', () => {
    expect(BLOCKS.map((block) => block.split('\n')[0])).toEqual([
      'snek-server export --out sneks.jsonl',
      'mkdir -p backups',
      'rm -f snek-data/sneks.db-wal snek-data/sneks.db-shm',
      'pg_dump --dbname="$DATABASE_URL" --schema="$SCHEMA" --format=custom --file=snek.dump',
      'pg_restore --dbname="$DATABASE_URL" --no-owner snek.dump',
    ]);
  });

  it('exports a sqlite store, imports it into another, backs it up and restores the backup, as written', async () => {
    const site = path.join(dir.path, 'sqlite');
    await dir.write('sqlite/.snekrc', 'server:\n  store: sqlite\n');
    await dir.write('sqlite/new/.snekrc', 'server:\n  store: { use: fs, options: { dir: ./data } }\n');
    expect((await snekServer(site, 'import', path.join(dir.path, 'input.jsonl'))).code).toBe(0);
    const before = await exported(site);

    runBlock(BLOCKS[0]!, site);
    expect(await readFile(path.join(site, 'sneks.jsonl'), 'utf8')).toBe(before);
    expect(await exported(path.join(site, 'new'))).toBe(before);

    runBlock(BLOCKS[1]!, site);
    await dir.write('after.jsonl', `${JSON.stringify({ id: 'after-backup', name: 'After', type: 't', content: 'x' })}\n`);
    expect((await snekServer(site, 'import', path.join(dir.path, 'after.jsonl'))).code).toBe(0);
    expect(await exported(site)).not.toBe(before);
    runBlock(BLOCKS[2]!, site);
    expect(await exported(site)).toBe(before);
  });

  (postgres ? it : it.skip)('dumps a postgres store with pg_dump and restores it with pg_restore, as written', async () => {
    const site = path.join(dir.path, 'postgres');
    await dir.write('postgres/.snekrc', `server:\n  store: { use: postgres, options: { url: "${TEST_PG_URL}", schema: ${schema} } }\n`);
    expect((await snekServer(site, 'import', path.join(dir.path, 'input.jsonl'))).code).toBe(0);
    const before = await exported(site);
    const history = (await snekServer(site, 'export', '--history')).stdout;
    runBlock(BLOCKS[3]!, site);
    await dropSchemas([schema]);
    runBlock(BLOCKS[4]!, site);
    expect(await exported(site)).toBe(before);
    expect((await snekServer(site, 'export', '--history')).stdout).toBe(history);
    // The next change takes the seq after the last one dumped.
    expect((await snekServer(site, 'import', path.join(dir.path, 'input.jsonl'), '--overwrite')).code).toBe(0);
    const lines = (await snekServer(site, 'export', '--history')).stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { change?: { seq: number } });
    const seqs = lines.flatMap((line) => (line.change ? [line.change.seq] : []));
    expect(seqs.at(-1)).toBe(Object.keys(TRICKY_CONTENT).length * 2);
  });
});
