import path from 'node:path';
import { z } from 'zod';
import { defineStore, parseStoreOptions } from '@snek/core';
import { LevelSnekStore } from './level-store.js';

export const DEFAULT_LEVEL_DIR = './snek-data/level';

const optionsSchema = z.strictObject({
  dir: z.string().min(1).optional(),
});

/** `server.store.options` of the level store. */
export interface LevelStoreOptions {
  /** The LevelDB folder, relative to the config file's folder; default ./snek-data/level. */
  dir?: string;
}

/** `store: level` — resolves to this package, snek-store-level. */
export default defineStore<LevelStoreOptions | undefined>({
  apiVersion: 1,
  name: 'level',
  create(options, { configDir }) {
    const { dir = DEFAULT_LEVEL_DIR } = parseStoreOptions('level', optionsSchema, options);
    return LevelSnekStore.open(path.resolve(configDir, dir));
  },
});
