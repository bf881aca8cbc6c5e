import { describe, it } from '@jest/globals';
import { describeStoreConformance } from '@snek/store-testkit';
import plugin, { PostgresSnekStore } from '../src/index.js';
import { TEST_PG_URL, pgAvailable } from './helpers/pg-available.js';
import { dropSchemas, uniqueSchema } from './helpers/test-schemas.js';

// Each store the kit asks for lives in a schema of its own, dropped once the file is done.
const schemas: string[] = [];

if (await pgAvailable()) {
  await describeStoreConformance('postgres', {
    create: (context) => {
      const schema = uniqueSchema('kit');
      schemas.push(schema);
      return plugin.create({ url: TEST_PG_URL, schema }, { configDir: process.cwd(), ...context });
    },
    reopen: (store, context) => plugin.create({ url: TEST_PG_URL, schema: (store as PostgresSnekStore).settings.target.schema }, { configDir: process.cwd(), ...context }),
    cleanup: () => dropSchemas(schemas),
    // Each random run opens a store on a new schema (a migration, about half a second here): half the default runs.
    modelRuns: 100,
  });
} else {
  describe.skip('postgres conforms to the Snek store contract v1 (no PostgreSQL reachable)', () => {
    it('needs PostgreSQL', () => undefined);
  });
}
