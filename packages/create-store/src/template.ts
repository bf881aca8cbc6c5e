import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { SnekError } from '@snek/core';

// Template files end in .tmpl so that neither this repository's Jest nor tsc takes them for its own, and
// `gitignore.tmpl` loses its dot because npm leaves .gitignore files out of the tarball.
const SUFFIX = '.tmpl';

/** Every template file, as its path in the template and the path it is written to. */
export async function templateFiles(dir: string): Promise<{ source: string; target: string }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(SUFFIX))
    .map((entry) => {
      const source = path.relative(dir, path.join(entry.parentPath, entry.name));
      const target = source.slice(0, -SUFFIX.length).replace(/^gitignore$/, '.gitignore');
      return { source, target };
    });
}

/** Fills `{{name}}` placeholders; one without a value is a bug in the template, not the user's doing. */
export function renderTemplate(text: string, values: Record<string, string>, file: string): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new SnekError('INTERNAL', `The template ${file} uses {{${key}}}, which has no value. Report this to @snek/create-store.`);
    return value;
  });
}
