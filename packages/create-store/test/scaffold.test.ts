import { mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SnekError } from '@snek/core';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { scaffoldStore } from '../src/index.js';

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('snek-create-');
});
afterAll(() => dir.cleanup());

const read = (folder: string, file: string) => readFile(path.join(folder, file), 'utf8');

describe('scaffoldStore(options)', () => {
  it('writes the package: manifest, sources, the kit test, README, configs and .gitignore, every placeholder filled', async () => {
    const result = await scaffoldStore({ folder: path.join(dir.path, 'vault'), packageName: 'snek-store-vault', description: 'Sneks in the vault "v2"' });
    expect(result.files).toEqual(['.gitignore', 'README.md', 'jest.config.js', 'package.json', 'src/index.ts', 'src/map-store.ts', 'src/plugin.ts', 'test/conformance.test.ts', 'tsconfig.build.json', 'tsconfig.json']);
    for (const file of result.files) expect(await read(result.folder, file)).not.toMatch(/\{\{\w+\}\}/);
    expect(await read(result.folder, 'src/plugin.ts')).toContain("name: 'vault'");
    expect(await read(result.folder, 'src/index.ts')).toBe("export { default } from './plugin.js';\nexport { VaultSnekStore } from './map-store.js';\n");
    expect(await read(result.folder, 'test/conformance.test.ts')).toContain("describeStoreConformance('vault', {");
    const readme = await read(result.folder, 'README.md');
    for (const text of ['# snek-store-vault', 'Sneks in the vault "v2"', 'npm publish --registry', 'npm install snek-store-vault', 'server:\n  store: vault\n']) expect(readme).toContain(text);
  });

  it('gives package.json what a store package needs: ESM, exports with types, files, @snek/core as a peer, the kit and its tools', async () => {
    const result = await scaffoldStore({ folder: path.join(dir.path, 'manifest'), packageName: '@acme/snek-store-vault', description: 'd' });
    const manifest = JSON.parse(await read(result.folder, 'package.json')) as Record<string, Record<string, unknown>>;
    expect(manifest).toMatchObject({
      name: '@acme/snek-store-vault',
      type: 'module',
      exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
      types: './dist/index.d.ts',
      files: ['dist'],
      engines: { node: '>=20.19' },
      scripts: { prepack: 'tsc -p tsconfig.build.json', test: 'node --experimental-vm-modules node_modules/jest/bin/jest.js' },
      peerDependencies: { '@snek/core': '^0.1.0' },
    });
    expect(Object.keys(manifest['devDependencies']!).sort()).toEqual(['@jest/globals', '@snek/core', '@snek/store-testkit', '@types/node', 'jest', 'ts-jest', 'typescript']);
    expect(manifest['dependencies']).toBeUndefined();
    // A scoped package is named in .snekrc in full: the short name would only find snek-store-vault.
    expect(await read(result.folder, 'README.md')).toContain('store: @acme/snek-store-vault\n');
  });

  it('writes into an empty folder that exists', async () => {
    await mkdir(path.join(dir.path, 'empty'));
    const result = await scaffoldStore({ folder: path.join(dir.path, 'empty'), packageName: 'snek-store-empty', description: 'd' });
    expect(result.files).toContain('package.json');
  });

  it('refuses a folder that is not empty with USAGE, naming what is in it, and writes nothing', async () => {
    const folder = path.join(dir.path, 'taken');
    await dir.write('taken/notes.txt', 'mine');
    const error = await scaffoldStore({ folder, packageName: 'snek-store-taken', description: 'd' }).catch((caught: unknown) => caught);
    expect(SnekError.hasCode(error, 'USAGE')).toBe(true);
    expect((error as Error).message).toBe(`${folder} is not empty (it holds notes.txt). Give a new or empty folder for the store; nothing was written.`);
    expect(await readdir(folder)).toEqual(['notes.txt']);
  });

  it('refuses a path that is a file', async () => {
    const file = await dir.write('plain-file', 'x');
    await expect(scaffoldStore({ folder: file, packageName: 'snek-store-x', description: 'd' })).rejects.toThrow(`${file} is a file, not a folder.`);
  });

  it('refuses an invalid package name before it touches the disk', async () => {
    const folder = path.join(dir.path, 'bad-name');
    await expect(scaffoldStore({ folder, packageName: 'Snek Store', description: 'd' })).rejects.toThrow('"Snek Store" is not a valid npm package name');
    await expect(readdir(folder)).rejects.toThrow('ENOENT');
  });
});
