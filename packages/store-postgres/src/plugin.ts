import pg from 'pg';
import { defineStore } from '@snek/core';
import { DEFAULT_OPEN_TIMEOUT_MS, connectAndMigrate } from './connect.js';
import { postgresSettings, type PostgresStoreOptions } from './options.js';
import { PostgresSnekStore } from './postgres-store.js';

/**
 * `store: postgres` — sneks in a PostgreSQL schema, shared by as many servers as point at it. Waits for PostgreSQL
 * until the server's storeTimeout, migrates the schema under an advisory lock, then serves from a pool of its own.
 */
export default defineStore<PostgresStoreOptions | undefined>({
  apiVersion: 1,
  name: 'postgres',
  async create(options, { deadline, history }) {
    const settings = postgresSettings(options);
    await connectAndMigrate(settings, pg.escapeIdentifier(settings.target.schema), deadline ?? Date.now() + DEFAULT_OPEN_TIMEOUT_MS);
    return new PostgresSnekStore(settings, { historyKeep: history?.keep });
  },
});
