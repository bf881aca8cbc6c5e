import type { Snek } from '@snek/core';

const COLUMNS = 'id, name, type, content';
const UPSERT = 'ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, content = excluded.content RETURNING (xmax = 0) AS created';

/** Rows per multi-row upsert, and the bytes of art per batch, so one statement stays well inside statementTimeout. */
const BATCH_ROWS = 5000;
const BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Every statement of the store, for one escaped schema. Values are always parameters. `xmax = 0` is true only on a
 * row version this INSERT made: an update by ON CONFLICT leaves its own transaction id there.
 */
export function statements(schema: string) {
  const sneks = `${schema}.sneks`;
  const page = (where: string) => `SELECT ${COLUMNS} FROM ${sneks} WHERE id > $1${where} ORDER BY id LIMIT $2`;
  return {
    get: `SELECT ${COLUMNS} FROM ${sneks} WHERE id = $1`,
    put: `INSERT INTO ${sneks} (${COLUMNS}) VALUES ($1, $2, $3, $4) ${UPSERT}`,
    putMany: `INSERT INTO ${sneks} (${COLUMNS}) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ${UPSERT}`,
    delete: `DELETE FROM ${sneks} WHERE id = $1`,
    // Conditional writes are one statement each. Under READ COMMITTED an UPDATE or DELETE that waited for another
    // writer's row lock evaluates its WHERE again on the row that writer left, so of two servers racing from one
    // version exactly one matches; two racing creates meet at the primary key and one does nothing.
    create: `INSERT INTO ${sneks} (${COLUMNS}) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
    updateIf: `UPDATE ${sneks} SET name = $2, type = $3, content = $4 WHERE id = $1 AND name = $5 AND type = $6 AND content = $7`,
    deleteIf: `DELETE FROM ${sneks} WHERE id = $1 AND name = $2 AND type = $3 AND content = $4`,
    createMany: `INSERT INTO ${sneks} (${COLUMNS}) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT (id) DO NOTHING RETURNING id`,
    // Indexed by [name given] + 2 × [type given]; the filters' values follow $1 (after) and $2 (limit).
    list: [page(''), page(' AND name = $3'), page(' AND type = $3'), page(' AND name = $3 AND type = $4')],
    countTypes: `SELECT type, count(*)::int AS count FROM ${sneks} GROUP BY type ORDER BY type COLLATE "C"`,
    seeded: `SELECT id FROM ${schema}.seeded_pack_sneks WHERE id = ANY($1::text[])`,
    recordSeeded: `INSERT INTO ${schema}.seeded_pack_sneks (id) SELECT unnest($1::text[]) ON CONFLICT (id) DO NOTHING`,
    schemaVersion: `SELECT coalesce(max(version), 0)::int AS version FROM ${schema}.schema_migrations`,
  };
}

export type Statements = ReturnType<typeof statements>;

/**
 * The parameters of each multi-row insert for `sneks`, one row per id (one upsert cannot touch a row twice). The
 * `winner` snek of an id is kept: the last for putMany, as a run of puts would; the first for createMany, as a run
 * of creates would. Rows are sorted by id so concurrent imports lock in one order.
 */
export function bulkUpserts(sneks: readonly Snek[], winner: 'first' | 'last'): string[][][] {
  const kept = new Map<string, Snek>();
  for (const snek of sneks) if (winner === 'last' || !kept.has(snek.id)) kept.set(snek.id, snek);
  const sorted = [...kept.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const batches: string[][][] = [];
  let batch: Snek[] = [];
  let bytes = 0;
  const flush = () => {
    if (batch.length) batches.push([batch.map((s) => s.id), batch.map((s) => s.name), batch.map((s) => s.type), batch.map((s) => s.content)]);
    batch = [];
    bytes = 0;
  };
  for (const snek of sorted) {
    batch.push(snek);
    bytes += Buffer.byteLength(snek.content);
    if (batch.length === BATCH_ROWS || bytes >= BATCH_BYTES) flush();
  }
  flush();
  return batches;
}
