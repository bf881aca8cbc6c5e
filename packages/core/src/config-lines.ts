import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, parseDocument, type Node } from 'yaml';

/**
 * The 1-based line of `keyPath` in a YAML or JSON config (JSON is YAML), or of its nearest ancestor that exists: an
 * unknown key is reported at the key itself. Undefined for JS configs and unparsable text.
 */
export async function lineOfKey(file: string, keyPath: readonly PropertyKey[]): Promise<number | undefined> {
  if (/\.(c|m)?[jt]s$/.test(file)) return undefined;
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: false });
  if (doc.errors.length) return undefined;
  // package.json holds the config under its "snek" key.
  const path = file.endsWith('package.json') ? ['snek', ...keyPath] : [...keyPath];
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as Node | null)?.range?.[0];
  for (const key of path) {
    if (!isMap(node) && !(node && typeof node === 'object' && 'items' in node)) break;
    const items = (node as { items: { key?: unknown; value?: unknown }[] }).items;
    const pair = isMap(node)
      ? items.find((item) => (item.key as { value?: unknown } | undefined)?.value === key)
      : typeof key === 'number' ? items[key] : undefined;
    if (!pair) break;
    // A sequence item is the node itself; a map entry has a key node to point at.
    const at = isMap(node) ? (pair.key as Node | undefined) : (pair as Node);
    offset = at?.range?.[0] ?? offset;
    node = isMap(node) ? pair.value : pair;
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}
