import path from 'node:path';
import { z } from 'zod';
import { SnekError, defineStore, parseStoreOptions } from '@snek/core';
import { SQLITE_DRIVER_CHOICES, type SqliteDriverChoice } from './driver.js';
import { SqliteSnekStore } from './sqlite-store.js';

export const DEFAULT_SQLITE_FILE = './snek-data/sneks.db';

const optionsSchema = z.strictObject({
  file: z.string().min(1).optional(),
  driver: z.enum(SQLITE_DRIVER_CHOICES).optional(),
});

/** `server.store.options` of the sqlite store. */
export interface SqliteStoreOptions {
  /** The database file, relative to the config file's folder; default ./snek-data/sneks.db. */
  file?: string;
  /** `auto` (the default): node:sqlite where Node has it (22.13+), better-sqlite3 otherwise. */
  driver?: SqliteDriverChoice;
}

/** `store: sqlite` — the default: one embedded database file, durable and fast. */
export default defineStore<SqliteStoreOptions | undefined>({
  apiVersion: 1,
  name: 'sqlite',
  async create(options, { configDir, history }) {
    const { file = DEFAULT_SQLITE_FILE, driver = 'auto' } = parseStoreOptions('sqlite', optionsSchema, options);
    const absolute = path.resolve(configDir, file);
    try {
      return await SqliteSnekStore.open(absolute, { driver, historyKeep: history?.keep });
    } catch (error) {
      if (SnekError.is(error)) throw error;
      const message = (error as Error).message;
      throw new SnekError('STORE_INIT_FAILED', `Cannot open the SQLite file ${absolute}: ${message.split('\n')[0]} Check that its folder is writable and that it is a Snek database.`, { cause: error });
    }
  },
});
