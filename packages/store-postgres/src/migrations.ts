import { createHash } from 'node:crypto';
import type pg from 'pg';
import { SnekError } from '@snek/core';
import { repairDeferredIndexes } from './bulk-load.js';
import { backfillNames, ensureTrigram, trigramOps } from './name-columns.js';
import { countsSchema } from './type-counts.js';

/**
 * Schema changes in order, each given the escaped schema name. `schema_migrations` records every version applied.
 * Append, never edit: databases made by older releases are migrated forward at start. COLLATE "C" makes the
 * database order ids and types byte by byte, as list() and countTypes() must (not by the database's locale).
 */
export const MIGRATIONS: ReadonlyArray<Migration> = [
  // 1: the sneks, and indexes that serve the name and type filters already in id order.
  (s) => `CREATE TABLE ${s}.sneks (id TEXT COLLATE "C" PRIMARY KEY, name TEXT NOT NULL, type TEXT COLLATE "C" NOT NULL, content TEXT NOT NULL);
    CREATE INDEX sneks_name_id ON ${s}.sneks (name, id);
    CREATE INDEX sneks_type_id ON ${s}.sneks (type, id)`,
  // 2: the ids of pack sneks already seeded once (StoreSeedLedger).
  (s) => `CREATE TABLE ${s}.seeded_pack_sneks (id TEXT COLLATE "C" PRIMARY KEY)`,
  // 3: the change log (StoreChangeLog), its (id, seq) index for one snek's history and retention, and the one-row
  // counter whose lock, held until commit, gives seqs in commit order (see statements.ts).
  (s) => `CREATE TABLE ${s}.changes (seq BIGINT PRIMARY KEY, id TEXT COLLATE "C" NOT NULL, op TEXT NOT NULL CHECK (op IN ('put', 'delete')), name TEXT, type TEXT COLLATE "C", content TEXT, actor JSONB, at TIMESTAMPTZ NOT NULL);
    CREATE INDEX changes_id_seq ON ${s}.changes (id, seq);
    CREATE TABLE ${s}.change_counter (only_row BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row), seq BIGINT NOT NULL);
    INSERT INTO ${s}.change_counter (seq) VALUES (0)`,
  // 4: search and sorted pages (issue 20). Each write gives the folded name and its natural key, worked out in JS
  // by @snek/core; existing rows get them from backfillNames. Type counts kept by triggers (type-counts.ts). The
  // changes of puts by (type, seq), for sort=updated with a type. `unlogged_sneks`: the sneks that had no change when
  // the log began (sort=updated places them last, at seq 0); a write gives them one, and they stay out of it then.
  {
    before: (s) => `ALTER TABLE ${s}.sneks ADD COLUMN name_key TEXT COLLATE "C", ADD COLUMN name_folded TEXT COLLATE "C";
      CREATE TABLE ${s}.unlogged_sneks (id TEXT COLLATE "C" PRIMARY KEY);
      INSERT INTO ${s}.unlogged_sneks (id) SELECT id FROM ${s}.sneks s WHERE NOT EXISTS (SELECT 1 FROM ${s}.changes c WHERE c.id = s.id)`,
    backfill: backfillNames,
    after: (s) => `ALTER TABLE ${s}.sneks ALTER COLUMN name_key SET NOT NULL, ALTER COLUMN name_folded SET NOT NULL;
      CREATE INDEX sneks_name_key_id ON ${s}.sneks (name_key, id);
      CREATE INDEX sneks_type_name_key_id ON ${s}.sneks (type, name_key, id);
      CREATE INDEX changes_put_type_seq ON ${s}.changes (type, seq) WHERE op = 'put';
      ${countsSchema(s)}`,
  },
  // 5: the name filter goes by name_key (statements.ts list): one index fewer to keep and to build.
  (s) => `DROP INDEX IF EXISTS ${s}.sneks_name_id`,
];

/** A step: SQL, or SQL around a pass in JS over the rows (for values only @snek/core can work out). */
export type Migration = ((schema: string) => string) | { before: (schema: string) => string; backfill: (client: pg.ClientBase, schema: string) => Promise<void>; after: (schema: string) => string };

export interface Migrated {
  steps: number;
  /** The escaped schema of pg_trgm when the trigram index is there, else why not. */
  trigram: { schema: string } | { missing: string };
}

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The advisory lock key of a schema: the first 64 bits of a hash, so stores in other schemas never wait on it. */
export function migrationLockKey(schema: string): string {
  return createHash('sha256').update(`@snek/store-postgres migrations ${schema}`).digest().readBigInt64BE(0).toString();
}

/**
 * Brings the schema to SCHEMA_VERSION in one transaction that holds an advisory lock: servers that start together
 * wait for the first one, then find nothing left to do. Resolves how many steps ran, and where pg_trgm is (see name-columns.ts).
 */
export async function migrate(client: pg.ClientBase, schema: string, escaped: string): Promise<Migrated> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [migrationLockKey(schema)]);
    // Checked first, so a user without CREATE on the database can use a schema made for it.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${escaped}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${escaped}.schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>(`SELECT coalesce(max(version), 0)::int AS version FROM ${escaped}.schema_migrations`);
    const version = rows[0]!.version;
    if (version > SCHEMA_VERSION) {
      throw new SnekError('STORE_INIT_FAILED', `The PostgreSQL schema "${schema}" has version ${version}, but this @snek/store-postgres knows only up to ${SCHEMA_VERSION}. Upgrade @snek/store-postgres, or set server.store.options.schema to another schema.`);
    }
    for (let next = version + 1; next <= SCHEMA_VERSION; next++) {
      const step = MIGRATIONS[next - 1]!;
      if (typeof step === 'function') await client.query(step(escaped));
      else {
        await client.query(step.before(escaped));
        await step.backfill(client, escaped);
        await client.query(step.after(escaped));
      }
      await client.query(`INSERT INTO ${escaped}.schema_migrations (version) VALUES ($1)`, [next]);
    }
    // Not numbered steps: a database whose role could not create pg_trgm gets its indexes once someone can, and the
    // indexes a bulk load dropped come back if its process died before it built them.
    const trigram = await ensureTrigram(client, escaped);
    await repairDeferredIndexes(client, schema, escaped, trigramOps(trigram));
    // The lock goes with the commit, once every step is durable.
    await client.query('COMMIT');
    return { steps: SCHEMA_VERSION - version, trigram };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
