import type pg from 'pg';
import type { SnapshotSource } from '@snek/core';
import { toChange, type ChangeRow, type Statements } from './statements.js';

/**
 * A connection of the store's pool, held for the snapshot's life, in one REPEATABLE READ READ ONLY transaction: every
 * batch reads the moment of its first statement, and writers are never blocked. `fail` turns a driver error into
 * the store's SnekError, naming the method.
 */
export async function openSnapshot(pool: pg.Pool, sql: Statements, label: string, fail: (method: string, error: unknown) => Error): Promise<SnapshotSource> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw fail('snapshot', error);
  }
  // A checked-out client has no pool listener; one that breaks between batches must fail the next batch, not the process.
  const ignore = () => undefined;
  client.on('error', ignore);
  let broken: Error | undefined;
  const query = async <R extends pg.QueryResultRow>(method: string, text: string, values: unknown[]): Promise<R[]> => {
    try {
      return (await client.query<R>(text, values)).rows;
    } catch (error) {
      broken = error as Error;
      throw fail(method, error);
    }
  };
  const release = async () => {
    if (!broken) await client.query('COMMIT').catch((error: Error) => (broken = error));
    client.off('error', ignore);
    client.release(broken);
  };
  try {
    await query('snapshot', 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', []);
    const [{ seq } = { seq: '0' }] = await query<{ seq: string }>('snapshot', sql.snapshotSeq, []);
    const newest = Number(seq);
    return {
      seq: newest,
      sneksAfter: (after, limit) => query('snapshot sneks', sql.list[0]!, [after, limit]),
      changesAfter: async (after, limit) => (await query<ChangeRow>('snapshot changes', sql.changes.all.asc, [after, newest + 1, limit])).map(toChange),
      release,
      label,
    };
  } catch (error) {
    await release();
    throw error;
  }
}
