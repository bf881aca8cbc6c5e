import pg from 'pg';
import { defineStore } from '@snek/core';
import { DEFAULT_OPEN_TIMEOUT_MS, connectAndMigrate } from './connect.js';
import { postgresSettings, type PostgresStoreOptions } from './options.js';
import { PostgresSnekStore } from './postgres-store.js';
import { FALLBACK_SCAN } from './search-tiers.js';

/**
 * `store: postgres` — sneks in a PostgreSQL schema, shared by as many servers as point at it. Waits for PostgreSQL
 * until the server's storeTimeout, migrates the schema under an advisory lock, then serves from a pool of its own.
 */
const warned = new Set<string>();

/** Once per schema and process: search still works, by scans, but not at a million sneks. */
function warnNoTrigram(schema: string, reason: string): void {
  if (warned.has(schema)) return;
  warned.add(schema);
  process.stderr.write(`@snek/store-postgres: warning: the extension pg_trgm could not be created (${reason}), so search in schema "${schema}" scans instead of using a trigram index: slow for large stores, and near misses are looked for among the first ${FALLBACK_SCAN} sneks only. Run CREATE EXTENSION pg_trgm as a role with CREATE on the database (or a superuser), then restart; status() shows search.index.\n`);
}

export default defineStore<PostgresStoreOptions | undefined>({
  apiVersion: 1,
  name: 'postgres',
  async create(options, { deadline, history }) {
    const settings = postgresSettings(options);
    const { trigram } = await connectAndMigrate(settings, pg.escapeIdentifier(settings.target.schema), deadline ?? Date.now() + DEFAULT_OPEN_TIMEOUT_MS);
    if ('missing' in trigram) warnNoTrigram(settings.target.schema, trigram.missing);
    return new PostgresSnekStore(settings, { historyKeep: history?.keep, trigram });
  },
});
