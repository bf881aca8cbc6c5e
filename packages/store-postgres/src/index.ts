export { default } from './plugin.js';
export { PostgresSnekStore } from './postgres-store.js';
export { DEFAULT_SCHEMA, DEFAULT_POOL_MAX, DEFAULT_CONNECT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, postgresSettings, type PostgresStoreOptions, type PostgresSettings, type PostgresTarget } from './options.js';
export { MIGRATIONS, SCHEMA_VERSION, migrationLockKey } from './migrations.js';
export { changeChannel } from './change-feed.js';
