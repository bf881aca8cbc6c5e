import path from 'node:path';
import { z } from 'zod';
import { defineStore, parseStoreOptions } from '@snek/core';
import { FsSnekStore } from './fs-store.js';

export const DEFAULT_FS_DIR = './snek-data/sneks';

const optionsSchema = z.strictObject({
  dir: z.string().min(1).optional(),
});

/** `server.store.options` of the fs store. */
export interface FsStoreOptions {
  /** The folder of records, relative to the config file's folder; default ./snek-data/sneks. */
  dir?: string;
}

/** `store: fs` — one JSON file per snek, for sites where only plain files are allowed. */
export default defineStore<FsStoreOptions | undefined>({
  apiVersion: 1,
  name: 'fs',
  create(options, context) {
    const { dir = DEFAULT_FS_DIR } = parseStoreOptions('fs', optionsSchema, options);
    return FsSnekStore.open(path.resolve(context.configDir, dir), context);
  },
});
