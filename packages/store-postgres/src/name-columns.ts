import pg from 'pg';
import { foldCase, naturalKey } from '@snek/core';
import { messageOf } from './connect.js';

/** The columns search and sort=name read, worked out here (not in SQL) so they are exactly @snek/core's. */
export function nameColumns(name: string): { key: string; folded: string } {
  return { key: naturalKey(name), folded: foldCase(name) };
}

const BACKFILL_ROWS = 5000;

/** Migration 4's pass over the rows that were there before it, in id order, a batch at a time. */
export async function backfillNames(client: pg.ClientBase, schema: string): Promise<void> {
  for (let after = ''; ; ) {
    const { rows } = await client.query<{ id: string; name: string }>(`SELECT id, name FROM ${schema}.sneks WHERE id > $1 ORDER BY id LIMIT ${BACKFILL_ROWS}`, [after]);
    if (rows.length === 0) return;
    const columns = rows.map((row) => nameColumns(row.name));
    await client.query(`UPDATE ${schema}.sneks s SET name_key = u.key, name_folded = u.folded FROM unnest($1::text[], $2::text[], $3::text[]) AS u (id, key, folded) WHERE s.id = u.id`, [rows.map((row) => row.id), columns.map((c) => c.key), columns.map((c) => c.folded)]);
    after = rows.at(-1)!.id;
  }
}

const trigramSchema = async (client: pg.ClientBase) => (await client.query<{ schema: string }>(`SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'pg_trgm'`)).rows[0]?.schema;

/**
 * pg_trgm, whose operator class the trigram indexes of search use (bulk-load.ts builds them). pg_trgm is a trusted
 * extension (PostgreSQL 13+): a role with CREATE on the database may create it. When it cannot, search falls back
 * (search-tiers.ts) and status() says why; the next start tries again. Runs inside the migration's transaction.
 */
export async function ensureTrigram(client: pg.ClientBase, schema: string): Promise<{ schema: string } | { missing: string }> {
  let found = await trigramSchema(client);
  if (found === undefined) {
    // Where the database puts it (public, for a role that may create there), else in the store's own schema: since
    // PostgreSQL 15 only public's owner may create in it. There, dropping the store's schema drops pg_trgm too.
    let reason = '';
    for (const where of ['', ` SCHEMA ${schema}`]) {
      await client.query('SAVEPOINT snek_pg_trgm');
      try {
        await client.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm${where}`);
        await client.query('RELEASE SAVEPOINT snek_pg_trgm');
        break;
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT snek_pg_trgm');
        reason ||= messageOf(error);
      }
    }
    // Another session may have created it meanwhile (the two meet at pg_extension's unique name).
    found = await trigramSchema(client);
    if (found === undefined) return { missing: reason };
  }
  return { schema: found };
}

/** pg_trgm's operator class for GIN, or undefined without pg_trgm. regnamespace::text is already quoted where it must be. */
export const trigramOps = (trigram: { schema: string } | { missing: string }) => ('schema' in trigram ? `${trigram.schema}.gin_trgm_ops` : undefined);
