import { readFile } from 'node:fs/promises';
import type { Snek } from './snek.js';

/** The three sneks every server starts with, shipped byte for byte from the Python prototype. */
export const BOOTSTRAP_SNEK_IDS = ['normal', 'fancy', 'cute'] as const;

export async function loadBootstrapSneks(): Promise<Snek[]> {
  return Promise.all(
    BOOTSTRAP_SNEK_IDS.map(async (id) => ({
      id,
      name: id,
      type: id,
      content: await readFile(new URL(`../sneks/${id}.txt`, import.meta.url), 'utf8'),
    })),
  );
}
