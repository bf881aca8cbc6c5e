/** A .snekrc per built-in store, with its data in ./data beside the file. */
export const BUILT_IN_STORES: Record<'memory' | 'fs' | 'sqlite', string> = {
  memory: 'server:\n  store: memory\n',
  fs: 'server:\n  store: { use: fs, options: { dir: ./data } }\n',
  sqlite: 'server:\n  store: { use: sqlite, options: { file: ./data/sneks.db } }\n',
};
