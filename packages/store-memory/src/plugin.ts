import { z } from 'zod';
import { defineStore, parseStoreOptions } from '@snek/core';
import { MemorySnekStore } from './memory-store.js';

/** `store: memory` — fast and empty on every start; for trying Snek out and for tests. */
export default defineStore<Record<string, never> | undefined>({
  apiVersion: 1,
  name: 'memory',
  create(options, context) {
    parseStoreOptions('memory', z.strictObject({}), options);
    return new MemorySnekStore({ historyKeep: context.history?.keep });
  },
});
