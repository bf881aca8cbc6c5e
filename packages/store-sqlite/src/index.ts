export { default, DEFAULT_SQLITE_FILE, type SqliteStoreOptions } from './plugin.js';
export { SqliteSnekStore } from './sqlite-store.js';
export { SEARCH_LIMITS, type SearchLimits } from './search.js';
export { LIST_FILTERS, listSql } from './statements.js';
export { changesSql } from './change-log.js';
export { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
export type { SqliteDriverChoice, SqliteDriverName } from './driver.js';
