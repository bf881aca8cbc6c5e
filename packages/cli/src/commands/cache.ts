import { printJson, type GlobalArgs } from '../context.js';
import { cacheDir, clearCache } from '../snek-cache.js';

/** `snek cache clear`: empties the folder of cached answers. */
export function cacheClear(args: GlobalArgs): void {
  const dir = cacheDir(process.env);
  const removed = clearCache(dir);
  if (args.json) return printJson({ dir, removed });
  process.stdout.write(`emptied ${dir} (${removed} ${removed === 1 ? 'file' : 'files'})\n`);
}
