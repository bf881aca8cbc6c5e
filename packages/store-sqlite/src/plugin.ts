import path from 'node:path';
import { z } from 'zod';
import { SnekError, defineStore, parseStoreOptions } from '@snek/core';
import { SqliteSnekStore } from './sqlite-store.js';

export const DEFAULT_SQLITE_FILE = './snek-data/sneks.db';

const optionsSchema = z.strictObject({
  file: z.string().min(1).optional(),
});

/** `server.store.options` of the sqlite store. */
export interface SqliteStoreOptions {
  /** The database file, relative to the config file's folder; default ./snek-data/sneks.db. */
  file?: string;
}

/** `store: sqlite` — the default: one embedded database file, durable and fast. */
export default defineStore<SqliteStoreOptions | undefined>({
  apiVersion: 1,
  name: 'sqlite',
  create(options, { configDir }) {
    const { file = DEFAULT_SQLITE_FILE } = parseStoreOptions('sqlite', optionsSchema, options);
    const absolute = path.resolve(configDir, file);
    try {
      return new SqliteSnekStore(absolute);
    } catch (error) {
      if (SnekError.is(error)) throw error;
      const message = (error as Error).message;
      // A native module built for another Node version: the fix is a rebuild, not the file.
      const hint = /NODE_MODULE_VERSION|different Node\.js version/.test(message)
        ? 'better-sqlite3 was built for another Node.js version: run npm rebuild better-sqlite3 (or pnpm rebuild better-sqlite3) with this Node.'
        : 'Check that its folder is writable and that it is a Snek database.';
      throw new SnekError('STORE_INIT_FAILED', `Cannot open the SQLite file ${absolute}: ${message.split('\n')[0]} ${hint}`, { cause: error });
    }
  },
});
