import { mkdtemp, mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach } from '@jest/globals';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A real folder under the OS temp dir, outside the workspace, removed by cleanup(). */
export interface TempDir {
  path: string;
  write(relative: string, content: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function tempDir(prefix = 'snek-test-'): Promise<TempDir> {
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), prefix)));
  return {
    path: dir,
    async write(relative, content) {
      const file = path.join(dir, relative);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
      return file;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A fresh temp folder per test with an empty `etc/.snekrc`, as the loaders' tests need, handed to `use` before each test. */
export function configSitePerTest(use: (site: { dir: TempDir; configDir: string }) => void): void {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await tempDir();
    await dir.write('etc/.snekrc', '');
    use({ dir, configDir: path.join(dir.path, 'etc') });
  });
  afterEach(() => dir.cleanup());
}
