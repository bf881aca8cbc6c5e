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
      throw new SnekError('STORE_INIT_FAILED', `Cannot open the SQLite file ${absolute}: ${(error as Error).message}. Check that its folder is writable and that it is a Snek database.`, { cause: error });
    }
  },
});
