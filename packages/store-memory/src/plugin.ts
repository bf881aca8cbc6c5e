import { defineStore, SnekError } from '@snek/core';
import { MemorySnekStore } from './memory-store.js';

/** `store: memory` — fast and empty on every start; for trying Snek out and for tests. */
export default defineStore<Record<string, never> | undefined>({
  apiVersion: 1,
  name: 'memory',
  create(options) {
    if (options !== undefined && (typeof options !== 'object' || options === null || Object.keys(options).length > 0)) {
      throw new SnekError('STORE_OPTIONS_INVALID', `The memory store takes no options, but server.store.options is ${JSON.stringify(options)}. Remove server.store.options.`);
    }
    return new MemorySnekStore();
  },
});
