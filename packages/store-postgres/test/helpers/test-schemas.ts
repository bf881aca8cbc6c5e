import pg from 'pg';
import { afterAll, afterEach } from '@jest/globals';
import { TEST_PG_URL } from './pg-available.js';

let made = 0;

/** A schema name no other test (or test process) uses; pass what you made to dropSchemas afterwards. */
export function uniqueSchema(label = 'test'): string {
  return `snek_${label}_${process.pid}_${Date.now().toString(36)}_${made++}`;
}

/** Drops the schemas and everything in them; a schema that was never made is fine. */
export async function dropSchemas(schemas: readonly string[]): Promise<void> {
  if (!schemas.length) return;
  await withClient(async (client) => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  });
}

/** A plain connection to the test database, for looking at what a store did from outside it. */
export async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * What a test file opens: push each store into `open` (closed after every test) and each schema into `schemas`
 * (dropped after the file, when PostgreSQL was there to make them).
 */
export function cleanedUp<S extends { close(): Promise<void> }>(available: boolean): { schemas: string[]; open: S[] } {
  const schemas: string[] = [];
  const open: S[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });
  afterAll(async () => {
    if (available) await dropSchemas(schemas);
  });
  return { schemas, open };
}
