import { readFileSync } from 'node:fs';

// Templates and assets are not compiled: both src/web (tests) and dist/web (the built server) read them from src/web.
const WEB_DIR = new URL('../../src/web/', import.meta.url);

/** A file of src/web, read once at start-up. */
export function readWebFile(relative: string): Buffer {
  return readFileSync(new URL(relative, WEB_DIR));
}
