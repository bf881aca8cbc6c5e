import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { findPathEscapes, runnableFiles } from './helpers/path-escapes.js';
import { tempDir, type TempDir } from './helpers/temp-dir.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

// A clone from a public host has nothing beside it: no test, script or CI step may read above the repository root.
describe('the repository reads only itself', () => {
  it('no test, script, bench or CI file names a path above the repository root', async () => {
    const files = await runnableFiles(repoRoot);
    expect(files).toEqual(expect.arrayContaining(['.ci/run', path.join('packages', 'core', 'test', 'stays-inside-repo.test.ts')]));
    expect(await findPathEscapes(repoRoot, files)).toEqual([]);
  });

  describe('findPathEscapes', () => {
    let dir: TempDir;
    afterAll(() => dir?.cleanup());

    it('flags ../ runs that climb above the root, path.join with .. arguments, and the seed folder; not the ones that stay', async () => {
      dir = await tempDir();
      await mkdir(path.join(dir.path, 'pkg', 'test'), { recursive: true });
      const lines = [
        `const a = new URL('${['..', '..', '..', 'elsewhere', 'x.txt'].join('/')}', import.meta.url);`,
        "const b = path.join(here, '..', '..', '..');",
        `cp ${['..', 'shared', 'seed'].join('/')}/sneks/*.txt .`,
        "const ok = new URL('../../core/sneks/cute.txt', import.meta.url);",
        "const alsoOk = path.join(here, '..', '..');",
      ];
      await writeFile(path.join(dir.path, 'pkg', 'test', 'x.test.ts'), lines.join('\n'));
      const escapes = await findPathEscapes(dir.path, [path.join('pkg', 'test', 'x.test.ts')]);
      expect(escapes.map((e) => e.line)).toEqual([1, 2, 3]);
    });
  });
});
