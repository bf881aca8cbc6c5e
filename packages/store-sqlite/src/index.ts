export { default, DEFAULT_SQLITE_FILE, type SqliteStoreOptions } from './plugin.js';
export { SqliteSnekStore, LIST_FILTERS, listSql } from './sqlite-store.js';
export { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
export type { SqliteDriverChoice, SqliteDriverName } from './driver.js';
