import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { EXIT } from '../src/index.js';
import { baseEnv, runCreate, runCreateOnTerminal } from './helpers/run-create.js';

// The built bin as a child process: with flags and no terminal, then on a pseudo-terminal.
let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('snek-create-cli-');
});
afterAll(() => dir.cleanup());

const manifestIn = async (folder: string) => JSON.parse(await readFile(path.join(dir.path, folder, 'package.json'), 'utf8')) as { name: string; description: string };

describe('create-snek-store with flags, no terminal', () => {
  it('writes the store from the folder alone and prints the next steps', async () => {
    const run = await runCreate(['vault'], { cwd: dir.path });
    expect([run.code, run.stderr]).toEqual([EXIT.OK, '']);
    expect(await manifestIn('vault')).toMatchObject({ name: 'snek-store-vault', description: 'A Snek store (snek-store-vault)' });
    expect(run.stdout).toBe(`Created snek-store-vault in ${path.join(dir.path, 'vault')}

Next steps:
  cd vault
  npm install
  npm test              # runs the @snek/store-testkit conformance kit
  npm publish --registry <your registry URL>   # prepack builds dist/ first

Then, in the folder that holds .snekrc, next to @snek/server:
  npm install snek-store-vault
and name it in .snekrc:
  server:
    store: vault
`);
    // docs/writing-a-store.md shows this run, in /home/you.
    const guide = await readFile(new URL('../../../docs/writing-a-store.md', import.meta.url), 'utf8');
    expect(guide).toContain(`$ npm create @snek/store vault\n${run.stdout.replaceAll(dir.path, '/home/you')}`);
  });

  it('takes --name and --description, and names pnpm commands when pnpm create runs it', async () => {
    const run = await runCreate(['stores/acme vault', '--name', '@acme/snek-store-vault', '--description', 'The vault store'], { cwd: dir.path, env: baseEnv({ npm_config_user_agent: 'pnpm/10.34.9 npm/? node/v20.20.2 linux x64' }) });
    expect([run.code, run.stderr]).toEqual([EXIT.OK, '']);
    expect(await manifestIn('stores/acme vault')).toMatchObject({ name: '@acme/snek-store-vault', description: 'The vault store' });
    for (const line of ["  cd 'stores/acme vault'\n", '  pnpm install\n', '  pnpm test ', '  pnpm add @acme/snek-store-vault\n', '    store: @acme/snek-store-vault\n']) expect(run.stdout).toContain(line);
  });

  it.each([
    ['a folder that is not empty', ['full'], /^create-snek-store: .*full is not empty \(it holds keep\.txt\)\. Give a new or empty folder for the store; nothing was written\.\n$/],
    ['an invalid package name', ['fresh', '--name', 'Vault'], /^create-snek-store: "Vault" is not a valid npm package name: name can no longer contain capital letters\. Give another with --name, e\.g\. --name snek-store-vault\.\n$/],
    ['an unknown flag', ['fresh', '--force'], /^create-snek-store: Unknown option '--force'\. Run with --help for usage\.\n$/],
    ['two folders', ['one', 'two'], /^create-snek-store: Give one folder, not 2 \(one two\)\. Quote a folder name with spaces\.\n$/],
    ['no folder and no terminal to ask on', ['--name', 'snek-store-x'], /^create-snek-store: Give the folder to create, e\.g\. npm create @snek\/store my-store \(there is no terminal to ask on, or --yes was given\)\.\n$/],
  ])('refuses %s: one line on stderr, exit 2, nothing written', async (_, args, message) => {
    await dir.write('full/keep.txt', 'mine');
    const before = await readdir(dir.path);
    const run = await runCreate(args, { cwd: dir.path });
    expect([run.code, run.stdout]).toEqual([EXIT.USAGE, '']);
    expect(run.stderr).toMatch(message);
    expect(await readdir(dir.path)).toEqual(before);
    expect(await readdir(path.join(dir.path, 'full'))).toEqual(['keep.txt']);
  });

  it('adds the stack with --debug', async () => {
    const run = await runCreate(['full', '--debug'], { cwd: dir.path });
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toMatch(/is not empty[^\n]*\nSnekError: [^\n]*\n\s+at /);
  });

  it('prints the usage with --help', async () => {
    const run = await runCreate(['--help'], { cwd: dir.path });
    expect([run.code, run.stderr]).toEqual([EXIT.OK, '']);
    expect(run.stdout).toMatch(/^Usage: npm create @snek\/store \[FOLDER\]/);
  });
});

describe('create-snek-store on a terminal', () => {
  it('asks for the folder, the package name and the description, with defaults', async () => {
    const run = await runCreateOnTerminal([], { cwd: dir.path, answers: [['Folder for the new store', 'asked\r'], ['Package name', '\r'], ['Description', 'Typed on a terminal\r']] });
    expect(run.code).toBe(EXIT.OK);
    expect(run.screen).toContain('(snek-store-asked)');
    expect(await manifestIn('asked')).toMatchObject({ name: 'snek-store-asked', description: 'Typed on a terminal' });
  });

  it('asks nothing when the flags say everything', async () => {
    const run = await runCreateOnTerminal(['flagged', '--name', 'snek-store-flagged', '--description', 'From flags'], { cwd: dir.path, answers: [] });
    expect(run.code).toBe(EXIT.OK);
    expect(run.screen).not.toContain('?');
    expect(await manifestIn('flagged')).toMatchObject({ name: 'snek-store-flagged', description: 'From flags' });
  });

  it('asks nothing with --yes, taking the defaults', async () => {
    const run = await runCreateOnTerminal(['defaults', '--yes'], { cwd: dir.path, answers: [] });
    expect(run.code).toBe(EXIT.OK);
    expect(run.screen).not.toContain('?');
    expect(await manifestIn('defaults')).toMatchObject({ name: 'snek-store-defaults' });
  });

  it('stops on Ctrl-C with exit 130 and writes nothing', async () => {
    const run = await runCreateOnTerminal(['cancelled'], { cwd: dir.path, answers: [['Package name', '\x03']] });
    expect(run.code).toBe(EXIT.CANCELLED);
    expect(run.screen).toContain('create-snek-store: cancelled; nothing was written.');
    await expect(readdir(path.join(dir.path, 'cancelled'))).rejects.toThrow('ENOENT');
  });
});
