import { readFile, readdir } from 'node:fs/promises';

const ROOT = new URL('../../../../', import.meta.url);

/** README.md and every docs/*.md, one after the other: the tests run the examples wherever they live. */
export async function readDocs(): Promise<string> {
  const docs = (await readdir(new URL('docs/', ROOT))).filter((name) => name.endsWith('.md')).sort();
  const texts = await Promise.all(['README.md', ...docs.map((name) => `docs/${name}`)].map((file) => readFile(new URL(file, ROOT), 'utf8')));
  return texts.join('\n');
}
