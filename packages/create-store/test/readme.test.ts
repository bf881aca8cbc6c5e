import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { EXIT } from '../src/index.js';
import { runCreate } from './helpers/run-create.js';

// The README's exit codes and error lines are what the bin does.
const README = await readFile(new URL('../README.md', import.meta.url), 'utf8');

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('snek-create-readme-');
});
afterAll(() => dir.cleanup());

describe('the README of @snek/create-store', () => {
  it('lists every exit code, and only those', () => {
    const table = README.slice(README.indexOf('| code | meaning |'));
    const codes = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(codes).toEqual(Object.values(EXIT));
  });

  it('quotes the errors the bin prints for a folder that is not empty and a bad name, in /home/you', async () => {
    await dir.write('vault/notes.txt', 'mine');
    const full = await runCreate(['vault'], { cwd: dir.path });
    const badName = await runCreate(['other', '--name', 'Vault'], { cwd: dir.path });
    expect([full.code, badName.code]).toEqual([EXIT.USAGE, EXIT.USAGE]);
    expect(README).toContain(`\`\`\`\n${full.stderr.replaceAll(dir.path, '/home/you')}${badName.stderr}\`\`\``);
  });
});
