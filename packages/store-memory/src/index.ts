export { default } from './plugin.js';
export { MemorySnekStore } from './memory-store.js';
