import pg from 'pg';
import {
  DEFAULT_LIST_LIMIT,
  MAX_LIST_LIMIT,
  SnekError,
  decodeCursor,
  encodeCursor,
  type ConditionalWriteResult,
  type Snek,
  type SnekPage,
  type SnekQuery,
  type SnekStore,
  type StoreBulkCreator,
  type StoreBulkWriter,
  type StoreConditionalWriter,
  type StoreSeedLedger,
  type StoreStatusReporter,
  type StoreTypeCounter,
  type TypeCount,
} from '@snek/core';
import { applicationName, messageOf } from './connect.js';
import { describeTarget, redact, type PostgresSettings } from './options.js';
import { bulkUpserts, statements, type Statements } from './statements.js';

/**
 * Sneks in PostgreSQL, through a pool of this store's own. Every write is one autocommitted statement or one
 * transaction, so a call resolves only after its commit; what that commit survives is PostgreSQL's setting
 * (synchronous_commit, fsync; see the README).
 */
export class PostgresSnekStore implements SnekStore, StoreStatusReporter, StoreBulkWriter, StoreBulkCreator, StoreConditionalWriter, StoreTypeCounter, StoreSeedLedger {
  private readonly pool: pg.Pool;
  private readonly sql: Statements;
  private closed = false;
  private brokenConnections = 0;
  // Named statements are parsed once per connection; PostgreSQL keeps their plans.
  private readonly names = new Map<string, string>();

  /** Use the plugin's create(): it validates the options, waits for PostgreSQL and migrates the schema first. */
  constructor(readonly settings: PostgresSettings) {
    this.sql = statements(pg.escapeIdentifier(settings.target.schema));
    this.pool = new pg.Pool({
      ...settings.connection,
      max: settings.poolMax,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      // The server cancels a slow statement; the client stops waiting at the same time if the server is gone.
      statement_timeout: settings.statementTimeoutMs,
      query_timeout: settings.statementTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      idleTimeoutMillis: 30_000,
      application_name: applicationName(settings.target.schema),
    });
    // An idle connection that breaks (PostgreSQL restarted) is dropped by the pool; without a listener it would crash the process.
    this.pool.on('error', () => {
      this.brokenConnections++;
    });
  }

  async get(id: string): Promise<Snek | undefined> {
    const { rows } = await this.run<Snek>('get', this.sql.get, [id]);
    return rows[0];
  }

  /** One statement: `created` comes from the row itself, so two servers racing on a new id get one `true`. */
  async put(snek: Snek): Promise<{ created: boolean }> {
    const { rows } = await this.run<{ created: boolean }>('put', this.sql.put, [snek.id, snek.name, snek.type, snek.content]);
    return { created: rows[0]!.created };
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.run('delete', this.sql.delete, [id])).rowCount ?? 0) > 0;
  }

  /** One statement checks and writes (see statements.ts); only a refused write reads the row, to report it. */
  async putIf(snek: Snek, expected: Snek | null): Promise<ConditionalWriteResult<{ created: boolean }>> {
    const written =
      expected === null
        ? await this.run('putIf', this.sql.create, [snek.id, snek.name, snek.type, snek.content])
        : await this.run('putIf', this.sql.updateIf, [snek.id, snek.name, snek.type, snek.content, expected.name, expected.type, expected.content]);
    if ((written.rowCount ?? 0) > 0) return { ok: true, created: expected === null };
    return { ok: false, current: await this.get(snek.id) };
  }

  async deleteIf(id: string, expected: Snek): Promise<ConditionalWriteResult<object>> {
    const deleted = await this.run('deleteIf', this.sql.deleteIf, [id, expected.name, expected.type, expected.content]);
    if ((deleted.rowCount ?? 0) > 0) return { ok: true };
    return { ok: false, current: await this.get(id) };
  }

  async list(query: SnekQuery = {}): Promise<SnekPage> {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIST_LIMIT, 1), MAX_LIST_LIMIT);
    // Every id sorts after '', so '' means "from the start".
    const after = query.cursor === undefined ? '' : decodeCursor(query.cursor);
    const filters = [query.name, query.type].filter((value) => value !== undefined);
    const variant = (query.name === undefined ? 0 : 1) + (query.type === undefined ? 0 : 2);
    const { rows } = await this.run<Snek>('list', this.sql.list[variant]!, [after, limit + 1, ...filters]);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!.id) : null };
  }

  async countTypes(): Promise<TypeCount[]> {
    return (await this.run<TypeCount>('countTypes', this.sql.countTypes, [])).rows;
  }

  /** In one transaction: batches of multi-row upserts, each sorted by id so that two imports cannot deadlock. */
  async putMany(sneks: readonly Snek[]): Promise<{ created: number }> {
    const batches = bulkUpserts(sneks, 'last');
    return this.inTransaction('putMany', async (client) => {
      let created = 0;
      for (const values of batches) {
        const { rows } = await client.query<{ created: boolean }>(this.sql.putMany, values);
        created += rows.filter((row) => row.created).length;
      }
      return { created };
    });
  }

  /** As putMany, with ON CONFLICT DO NOTHING: as fast, and an id the table holds is left alone (of a batch, the first snek of an id). */
  async createMany(sneks: readonly Snek[]): Promise<{ created: string[] }> {
    const batches = bulkUpserts(sneks, 'first');
    return this.inTransaction('createMany', async (client) => {
      const created: string[] = [];
      for (const values of batches) {
        const { rows } = await client.query<{ id: string }>(this.sql.createMany, values);
        for (const row of rows) created.push(row.id);
      }
      return { created };
    });
  }

  async seeded(ids: readonly string[]): Promise<string[]> {
    const { rows } = await this.run<{ id: string }>('seeded', this.sql.seeded, [ids]);
    const found = new Set(rows.map((row) => row.id));
    return ids.filter((id) => found.has(id));
  }

  async recordSeeded(ids: readonly string[]): Promise<void> {
    await this.run('recordSeeded', this.sql.recordSeeded, [ids]);
  }

  /** For /readyz: one round trip, bounded by connectTimeout and statementTimeout. */
  async status(): Promise<Record<string, unknown>> {
    const { rows } = await this.run<{ version: number }>('status', this.sql.schemaVersion, []);
    const { host, port, database, schema } = this.settings.target;
    return {
      host,
      port,
      database,
      schema,
      schemaVersion: rows[0]!.version,
      pool: { max: this.settings.poolMax, open: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount, broken: this.brokenConnections },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Waits for the queries in flight, then closes every connection.
    await this.pool.end();
  }

  private async run<R extends pg.QueryResultRow = pg.QueryResultRow>(method: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    try {
      let name = this.names.get(text);
      if (name === undefined) this.names.set(text, (name = `snek_${this.names.size}`));
      return await this.pool.query<R>({ name, text, values });
    } catch (error) {
      throw this.failure(method, error);
    }
  }

  private async inTransaction<T>(method: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.failure(method, error);
    }
    // A checked-out client has no pool listener; one that breaks between our queries must not crash the process.
    const ignore = () => undefined;
    client.on('error', ignore);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw this.failure(method, error);
    } finally {
      client.off('error', ignore);
      client.release(broken);
    }
  }

  private failure(method: string, error: unknown): SnekError {
    if (SnekError.is(error)) return error;
    const reason = redact(messageOf(error), this.settings.secrets);
    const where = `PostgreSQL at ${describeTarget(this.settings.target)}`;
    if ((error as { code?: string }).code === '53100') {
      return new SnekError('STORE_FULL', `${where} has no disk space left (${reason}), so ${method} failed and changed nothing. Free some space; reads still work.`, { cause: error });
    }
    return new SnekError('STORE_UNAVAILABLE', `The postgres store failed on ${method}: ${where}: ${reason}. Check that PostgreSQL is up; the store reconnects by itself.`, { cause: error });
  }

  private assertOpen(): void {
    if (this.closed) throw new SnekError('STORE_CLOSED', `The postgres store on ${describeTarget(this.settings.target)}, schema "${this.settings.target.schema}", is closed. Open a new one.`);
  }
}
