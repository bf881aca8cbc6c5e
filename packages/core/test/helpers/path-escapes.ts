import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Where a file names a path above the repository root, or the prototype's seed folder beside the clone. */
export interface PathEscape {
  file: string;
  line: number;
  text: string;
}

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'coverage', path.join('.ci', 'node')]);
const SCANNED = /\.(ts|mts|cts|js|mjs|cjs|sh)$|^run$/;
// A run of `../` at the start of a string literal, or '..' arguments in a row (path.join(dir, '..', '..')).
const RELATIVE_LITERAL = /(['"`])((?:\.\.\/)+)/g;
const DOT_DOT_ARGS = /(?:(['"])\.\.\1\s*,\s*)+(['"])\.\.\2/g;

/** Every place in `files` (paths relative to `root`) that reaches outside `root`. */
export async function findPathEscapes(root: string, files: readonly string[]): Promise<PathEscape[]> {
  const escapes: PathEscape[] = [];
  for (const file of files) {
    const lines = (await readFile(path.join(root, file), 'utf8')).split('\n');
    const depth = path.dirname(file).split(path.sep).filter((part) => part && part !== '.').length;
    lines.forEach((text, index) => {
      const ups = [...text.matchAll(RELATIVE_LITERAL)].map((m) => (m[2] ?? '').length / 3);
      const argRuns = [...text.matchAll(DOT_DOT_ARGS)].map((m) => (m[0].match(/\.\./g) ?? []).length);
      if ([...ups, ...argRuns].some((up) => up > depth) || /shared\/seed/.test(text)) escapes.push({ file, line: index + 1, text: text.trim() });
    });
  }
  return escapes;
}

/** Test, script, bench and CI files of the repository: the code that runs from a clone. */
export async function runnableFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !SKIP_DIRS.has(relative)) await walk(relative);
      } else if (SCANNED.test(entry.name)) {
        found.push(relative);
      }
    }
  };
  await walk('.');
  return found.sort();
}
