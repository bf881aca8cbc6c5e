import type { Snek, SnekQuery, SnekStore } from '@snek/core';

export const MAX_CONTENT_BYTES = 64 * 1024;

export function sampleSnek(id: string, over: Partial<Snek> = {}): Snek {
  return { id, name: `Snek ${id}`, type: 'plain', content: `~~~< ${id}\n`, ...over };
}

/** Art that tends to break naive storage: each must come back byte for byte. */
export const TRICKY_CONTENT: Record<string, string> = {
  'one character': 'x',
  'the maximum size in ASCII': 'x'.repeat(MAX_CONTENT_BYTES),
  'the maximum size in two-byte characters': 'é'.repeat(MAX_CONTENT_BYTES / 2),
  Unicode: 'Nagini 🐍 ünïcödé 日本語 \u200d combining é',
  'trailing spaces': 'snek   \n  trailing  \n   ',
  backslashes: '\\ \\\\ \\n \\u0000 C:\\path\\',
  quotes: `"double" 'single' \`back\` "unterminated`,
  tabs: '\tleading\tinner\t\ttrailing\t',
  'only newlines': '\n\n\n',
  'JSON and SQL lookalikes': '{"id": "x"}\'; DROP TABLE sneks; --',
};

/** Every page of a query, in order, following cursors to the end. */
export async function pageThrough(store: SnekStore, query: Omit<SnekQuery, 'cursor'> = {}): Promise<Snek[]> {
  const sneks: Snek[] = [];
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages > 10_000) throw new Error('list() never returned nextCursor: null');
    const page = await store.list({ ...query, ...(cursor === undefined ? {} : { cursor }) });
    sneks.push(...page.items);
    if (page.nextCursor === null) return sneks;
    cursor = page.nextCursor;
  }
}

export const ids = (sneks: Snek[]) => sneks.map((snek) => snek.id);

export function padded(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(String(count).length, '0')}`);
}

/**
 * Slugs whose code-unit order (as `<` compares) differs from locale, natural and case-folding orders:
 * "-" < "." < digits < "_" < letters, "10" < "9", "a-c" < "ab". A SQL store with a locale collation fails on them.
 */
export const ORDER_PROBE_SLUGS = ['ab', 'a_a', 'a-c', 'a.b', 'a0', 'a9', 'a10', '9', '10', '0a', 'b', 'a-b-c', 'a.-b', 'aa', 'a_b', 'z', 'ax'];

/** `values` sorted by code units, the order the contract asks for. */
export const codeUnitSorted = (values: readonly string[]): string[] => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
