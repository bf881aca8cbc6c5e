import { TEST_PG_URL, pgAvailable } from '../../../store-postgres/test/helpers/pg-available.js';
import { dropSchemas, uniqueSchema } from '../../../store-postgres/test/helpers/test-schemas.js';

/** The PostgreSQL schema of the postgres entry below: one per test file. Drop it with {@link dropBuiltInStoreData}. */
export const POSTGRES_TEST_SCHEMA = uniqueSchema('server');
const postgres = await pgAvailable();

/**
 * A .snekrc per built-in store, with its data in ./data beside the file (postgres: in POSTGRES_TEST_SCHEMA). The
 * postgres entry is there only when PostgreSQL is reachable (always in CI); pgAvailable() says so when it is not.
 */
export const BUILT_IN_STORES: Record<'memory' | 'fs' | 'sqlite', string> & { postgres?: string } = {
  memory: 'server:\n  store: memory\n',
  fs: 'server:\n  store: { use: fs, options: { dir: ./data } }\n',
  sqlite: 'server:\n  store: { use: sqlite, options: { file: ./data/sneks.db } }\n',
  ...(postgres ? { postgres: `server:\n  store: { use: postgres, options: { url: "${TEST_PG_URL}", schema: ${POSTGRES_TEST_SCHEMA} } }\n` } : {}),
};

/** Removes what the stores above keep outside the test's folder: the postgres schema. Call it from afterAll. */
export async function dropBuiltInStoreData(): Promise<void> {
  if (postgres) await dropSchemas([POSTGRES_TEST_SCHEMA]);
}
