export { default, DEFAULT_LEVEL_DIR, type LevelStoreOptions } from './plugin.js';
export { LevelSnekStore } from './level-store.js';
