export { default, DEFAULT_FS_DIR, type FsStoreOptions } from './plugin.js';
export { FsSnekStore } from './fs-store.js';
export { LOCK_FILE } from './dir-lock.js';
export { JOURNAL_FILE } from './change-journal.js';
export { CLEAN_CLOSE_FILE } from './clean-close.js';
