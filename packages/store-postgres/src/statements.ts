import pg from 'pg';
import type { Actor, Change, Snek } from '@snek/core';
import { nameColumns } from './name-columns.js';

const { escapeLiteral } = pg;

const COLUMNS = 'id, name, type, content';
/** What a write stores: the snek, then its name's natural key and folded form (name-columns.ts). */
const WRITTEN = 'id, name, type, content, name_key, name_folded';
const UPSERT = 'ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, content = excluded.content, name_key = excluded.name_key, name_folded = excluded.name_folded RETURNING (xmax = 0) AS created';

/** Rows per multi-row upsert, and the bytes of art per batch, so one statement stays well inside statementTimeout. */
const BATCH_ROWS = 5000;
const BATCH_BYTES = 4 * 1024 * 1024;

/** What a statement of the change log returns for one change; `at` is already ISO 8601 UTC with milliseconds. */
export interface ChangeRow {
  seq: string;
  id: string;
  op: 'put' | 'delete';
  name: string | null;
  type: string | null;
  content: string | null;
  actor: Actor | null;
  at: string;
}

/** A change's `at` as the API gives it: ISO 8601 UTC with milliseconds. */
export const isoAt = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const CHANGE_COLUMNS = `seq, id, op, name, type, content, actor, ${isoAt('at')} AS at`;

/**
 * Every statement of the store, for one escaped schema, the number of changes kept per snek and the change feed's
 * channel. Values are always parameters. `xmax = 0` is true only on a row version this INSERT made: an update by ON
 * CONFLICT leaves its own transaction id there.
 */
export function statements(schema: string, log: { keep: number; channel: string }) {
  const sneks = `${schema}.sneks`;
  const changes = `${schema}.changes`;
  const page = (where: string) => `SELECT ${COLUMNS} FROM ${sneks} WHERE id > $1${where} ORDER BY id LIMIT $2`;
  /**
   * `write`, then one change per row it returns (id, name, type, content), in one statement, so in the write's own
   * transaction. The seq comes from the one row of change_counter, updated after every row of `write` is written
   * (its count is an input) and locked until commit: the next writer waits for this commit before it takes a seq,
   * so seqs become visible in commit order and a tail reading "after N" skips none. Taking it last keeps the wait
   * short and the lock order one (snek rows, then the counter), so writers cannot deadlock. A write of no row touches
   * neither the counter nor the log. The notification is sent at commit, with the transaction's last seq.
   * Retention drops the changes of each id older than its newest `keep`: every sub-statement sees the snapshot from
   * before the statement, so the new change is not among the `keep - 1` skipped.
   */
  const logged = (write: string, op: 'put' | 'delete', actor: string, select: string) => `WITH written AS (${write}),
    counter AS (UPDATE ${schema}.change_counter SET seq = change_counter.seq + w.n FROM (SELECT count(*) AS n FROM written) w WHERE w.n > 0
      RETURNING change_counter.seq AS last, w.n, clock_timestamp() AS at, pg_notify(${escapeLiteral(log.channel)}, change_counter.seq::text)),
    logged AS (INSERT INTO ${changes} (seq, id, op, name, type, content, actor, at)
      SELECT c.last - c.n + row_number() OVER (ORDER BY w.id), w.id, '${op}', w.name, w.type, w.content, ${actor}::jsonb, c.at FROM written w CROSS JOIN (SELECT * FROM counter LIMIT 1) c),
    pruned AS (DELETE FROM ${changes} old USING written w
      WHERE old.id = w.id AND old.seq <= (SELECT k.seq FROM ${changes} k WHERE k.id = w.id ORDER BY k.seq DESC OFFSET ${log.keep - 1} LIMIT 1))
    ${select}`;
  const nothing = 'NULL::text AS name, NULL::text AS type, NULL::text AS content';
  const history = (byId: boolean, order: 'ASC' | 'DESC') => `SELECT ${CHANGE_COLUMNS} FROM ${changes} WHERE seq > $1 AND seq < $2${byId ? ' AND id = $4' : ''} ORDER BY seq ${order} LIMIT $3`;
  return {
    get: `SELECT ${COLUMNS} FROM ${sneks} WHERE id = $1`,
    put: logged(`INSERT INTO ${sneks} (${WRITTEN}) VALUES ($1, $2, $3, $4, $6, $7) ${UPSERT}, ${COLUMNS}`, 'put', '$5', 'SELECT created FROM written'),
    // Puts of distinct ids as one statement (put-batches.ts); $5 holds each one's actor, matched to its row by id.
    putBatch: logged(`INSERT INTO ${sneks} (${WRITTEN}) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $6::text[], $7::text[]) ${UPSERT}, ${COLUMNS}`, 'put', '(SELECT a.actor FROM unnest($1::text[], $5::text[]) AS a (id, actor) WHERE a.id = w.id)', 'SELECT id, created FROM written'),
    delete: logged(`DELETE FROM ${sneks} WHERE id = $1 RETURNING id, ${nothing}`, 'delete', '$2', 'SELECT id FROM written'),
    // Conditional writes are one statement each. Under READ COMMITTED an UPDATE or DELETE that waited for another
    // writer's row lock evaluates its WHERE again on the row that writer left, so of two servers racing from one
    // version exactly one matches; two racing creates meet at the primary key and one does nothing.
    create: logged(`INSERT INTO ${sneks} (${WRITTEN}) VALUES ($1, $2, $3, $4, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`, 'put', '$5', 'SELECT id FROM written'),
    updateIf: logged(`UPDATE ${sneks} SET name = $2, type = $3, content = $4, name_key = $9, name_folded = $10 WHERE id = $1 AND name = $5 AND type = $6 AND content = $7 RETURNING ${COLUMNS}`, 'put', '$8', 'SELECT id FROM written'),
    deleteIf: logged(`DELETE FROM ${sneks} WHERE id = $1 AND name = $2 AND type = $3 AND content = $4 RETURNING id, ${nothing}`, 'delete', '$5', 'SELECT id FROM written'),
    // Bulk writes run in one transaction: every batch of sneks first, then their changes (logBulk, given the sneks
    // written), so that the counter is taken after the last snek row, as in every other write.
    putMany: `INSERT INTO ${sneks} (${WRITTEN}) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) ${UPSERT}, id`,
    createMany: `INSERT INTO ${sneks} (${WRITTEN}) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) ON CONFLICT (id) DO NOTHING RETURNING id`,
    logBulk: logged(`SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS w (${COLUMNS})`, 'put', '$5', 'SELECT count(*) FROM written'),
    // A fresh load's COPY path (postgres-store.ts copyFresh): where its rows go, and the seqs of $1 changes taken at
    // once, after the load's snek rows, as logged() takes them; one notification with the last.
    // The columns in the order copy-rows.ts writes them: a change's id, name, type and content are its snek row's bytes.
    copySneks: `${sneks} (${WRITTEN})`,
    copyChanges: `${changes} (seq, id, name, type, content, op, actor, at)`,
    takeSeqs: `UPDATE ${schema}.change_counter SET seq = seq + $1 RETURNING seq::text AS last, timestamptz_send(clock_timestamp()) AS at, pg_notify(${escapeLiteral(log.channel)}, seq::text)`,
    // At a big load's start (bulk-load.ts): the counter first, so that no other writer commits until the load does,
    // then whether the store is empty, its log too, so that it stays so for every id the load has not written.
    claimCounter: `SELECT 1 FROM ${schema}.change_counter FOR UPDATE`,
    isFresh: `SELECT NOT EXISTS (SELECT 1 FROM ${sneks}) AND NOT EXISTS (SELECT 1 FROM ${changes}) AS fresh`,
    // Indexed by [name given] + 2 × [type given]; the filters' values follow $1 (after) and $2 (limit), the name's
    // natural key last. A name filter goes by the key, which one name has one of: the (name_key, id) and
    // (type, name_key, id) indexes of sort=name serve it in id order, so no index of names is kept for it.
    list: [page(''), page(' AND name = $3 AND name_key = $4'), page(' AND type = $3'), page(' AND name = $3 AND type = $4 AND name_key = $5')],
    seeded: `SELECT id FROM ${schema}.seeded_pack_sneks WHERE id = ANY($1::text[])`,
    recordSeeded: `INSERT INTO ${schema}.seeded_pack_sneks (id) SELECT unnest($1::text[]) ON CONFLICT (id) DO NOTHING`,
    schemaVersion: `SELECT coalesce(max(version), 0)::int AS version FROM ${schema}.schema_migrations`,
    // $1 after, $2 before, $3 limit, $4 id: by the primary key, or by (id, seq) for one snek.
    changes: { all: { asc: history(false, 'ASC'), desc: history(false, 'DESC') }, id: { asc: history(true, 'ASC'), desc: history(true, 'DESC') } },
    // A snapshot's moment: the newest change its transaction sees (retention keeps every id's newest).
    snapshotSeq: `SELECT coalesce(max(seq), 0)::text AS seq FROM ${changes}`,
    // One descent of (id, seq) per distinct id.
    latestChanges: `SELECT c.* FROM (SELECT DISTINCT unnest($1::text[]) AS id) ids CROSS JOIN LATERAL (SELECT ${CHANGE_COLUMNS} FROM ${changes} WHERE id = ids.id ORDER BY seq DESC LIMIT 1) c`,
  };
}

export type Statements = ReturnType<typeof statements>;

export function toChange(row: ChangeRow): Change {
  const change: Change = { seq: Number(row.seq), id: row.id, op: row.op, actor: row.actor, at: row.at };
  if (row.op === 'put') change.snek = { id: row.id, name: row.name!, type: row.type!, content: row.content! };
  return change;
}

/**
 * One snek per id, sorted by id so that concurrent imports lock in one order (one upsert cannot touch a row twice).
 * The `winner` snek of an id is kept: the last for putMany, as a run of puts would; the first for createMany, as a
 * run of creates would.
 */
export function oneRowPerId(sneks: readonly Snek[], winner: 'first' | 'last'): Snek[] {
  // An import in id order gives each batch so already: one look at each pair instead of a map and a sort.
  let ascending = true;
  for (let i = 1; i < sneks.length && ascending; i++) ascending = sneks[i - 1]!.id < sneks[i]!.id;
  if (ascending) return [...sneks];
  const kept = new Map<string, Snek>();
  for (const snek of sneks) if (winner === 'last' || !kept.has(snek.id)) kept.set(snek.id, snek);
  return [...kept.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The parameters of each multi-row insert for `sneks` (the columns of WRITTEN), from oneRowPerId's sneks. */
export function bulkUpserts(sorted: readonly Snek[]): string[][][] {
  const batches: string[][][] = [];
  let batch: Snek[] = [];
  let bytes = 0;
  const flush = () => {
    const names = batch.map((s) => nameColumns(s.name));
    if (batch.length) batches.push([batch.map((s) => s.id), batch.map((s) => s.name), batch.map((s) => s.type), batch.map((s) => s.content), names.map((n) => n.key), names.map((n) => n.folded)]);
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
