import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SnekError } from '@snek/core';
import { storeManifest } from './manifest.js';
import { storeNames, type StoreNames } from './names.js';
import { renderTemplate, templateFiles } from './template.js';

export interface ScaffoldOptions {
  /** The folder to create; it must not exist or be empty. */
  folder: string;
  packageName: string;
  description: string;
}

export interface ScaffoldResult {
  folder: string;
  names: StoreNames;
  /** The files written, relative to `folder`, sorted. */
  files: string[];
}

const TEMPLATE_DIR = fileURLToPath(new URL('../template/', import.meta.url));

/** Throws `USAGE` when `folder` is a file or a folder with anything in it; an absent or empty folder is fine. */
export async function assertEmptyFolder(folder: string): Promise<void> {
  const info = await stat(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!info) return;
  if (!info.isDirectory()) throw new SnekError('USAGE', `${folder} is a file, not a folder. Give a new or empty folder for the store.`);
  const entries = await readdir(folder);
  if (entries.length > 0) {
    const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
    throw new SnekError('USAGE', `${folder} is not empty (it holds ${shown}). Give a new or empty folder for the store; nothing was written.`);
  }
}

/** Writes a new store package into `folder`: the template with the names filled in, and its package.json. */
export async function scaffoldStore(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const folder = path.resolve(options.folder);
  const names = storeNames(options.packageName);
  await assertEmptyFolder(folder);
  const values = { ...names, description: options.description };
  const files = new Map<string, string>([['package.json', `${JSON.stringify(storeManifest(names, options.description), null, 2)}\n`]]);
  for (const { source, target } of await templateFiles(TEMPLATE_DIR)) {
    files.set(target, renderTemplate(await readFile(path.join(TEMPLATE_DIR, source), 'utf8'), values, source));
  }
  await mkdir(folder, { recursive: true });
  for (const [relative, content] of files) {
    await mkdir(path.dirname(path.join(folder, relative)), { recursive: true });
    // 'wx': never overwrite, even if something appeared in the folder since the check.
    await writeFile(path.join(folder, relative), content, { flag: 'wx' });
  }
  return { folder, names, files: [...files.keys()].sort() };
}
