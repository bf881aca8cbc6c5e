import pg from 'pg';
import { SnekError } from '@snek/core';
import { migrate, type Migrated } from './migrations.js';
import { describeTarget, redact, type PostgresSettings } from './options.js';

/** How long before the server's deadline the last attempt must have failed, so our error is the one it shows. */
const DEADLINE_MARGIN_MS = 500;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;
/** When the server gives no deadline: its own default storeTimeout. */
export const DEFAULT_OPEN_TIMEOUT_MS = 10_000;

// Errors that mean "not there yet": no answer, or PostgreSQL starting, shutting down or full of connections.
const RETRYABLE_SQLSTATE = /^(08|57P0[1-3]|53300)/;

/**
 * Connects once, retrying with backoff while PostgreSQL is not reachable yet, until just before `deadline`, and
 * migrates the schema on that connection. Resolves how many migration steps ran (0 when another server did them)
 * and where pg_trgm is.
 */
export async function connectAndMigrate(settings: PostgresSettings, escapedSchema: string, deadline: number): Promise<Migrated> {
  const started = Date.now();
  let wait = FIRST_RETRY_MS;
  for (let attempt = 1; ; attempt++) {
    const budget = Math.min(settings.connectTimeoutMs, deadline - DEADLINE_MARGIN_MS - Date.now());
    const client = new pg.Client({ ...settings.connection, connectionTimeoutMillis: Math.max(budget, 1), keepAlive: true, application_name: applicationName(settings.target.schema) });
    // A connection that breaks between our queries must fail the next query, not crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      // The last wait is cut short so that one more attempt still fits before the deadline.
      const left = deadline - DEADLINE_MARGIN_MS - FIRST_RETRY_MS - Date.now();
      if (!isRetryable(error) || left <= 0) throw connectFailed(settings, error, attempt, started);
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, left)));
      wait = Math.min(wait * 2, MAX_RETRY_MS);
      continue;
    }
    try {
      return await migrate(client, settings.target.schema, escapedSchema);
    } catch (error) {
      if (SnekError.is(error)) throw error;
      const reason = redact(messageOf(error), settings.secrets);
      throw new SnekError('STORE_INIT_FAILED', `Cannot prepare the schema "${settings.target.schema}" in PostgreSQL at ${describeTarget(settings.target)}: ${reason}. Check that user "${settings.target.user}" may create tables there, or set server.store.options.schema.`, {
        cause: error,
        details: { ...settings.target },
      });
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** "snek <schema>" in pg_stat_activity, so an operator sees which store holds a connection. */
export function applicationName(schema: string): string {
  return `snek ${schema}`;
}

export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  // No SQLSTATE: a network error (ECONNREFUSED, ETIMEDOUT…) or pg's own connection timeout.
  return typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || RETRYABLE_SQLSTATE.test(code);
}

function connectFailed(settings: PostgresSettings, error: unknown, attempts: number, started: number): SnekError {
  const { target } = settings;
  const reason = redact(messageOf(error), settings.secrets);
  const tried = `${attempts} attempt${attempts === 1 ? '' : 's'} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  const fix = isRetryable(error)
    ? 'Check that PostgreSQL is running there and reachable, and server.store.options.url (or urlEnv, or the PG* variables); raise server.storeTimeout to wait longer.'
    : 'Check the user, password and database in server.store.options.url (or urlEnv, or the PG* variables).';
  return new SnekError('STORE_INIT_FAILED', `Cannot connect to PostgreSQL at ${describeTarget(target)} as user "${target.user}" (${tried}): ${reason}. ${fix}`, {
    cause: error,
    details: { ...target, attempts },
  });
}

export function messageOf(error: unknown): string {
  const { message, code } = (error ?? {}) as { message?: string; code?: string };
  // A refused connection to several addresses (localhost: ::1 and 127.0.0.1) is an AggregateError without a message.
  const text = message || (error instanceof AggregateError ? error.errors.map(messageOf).join('; ') : '') || code || String(error);
  return text.split('\n')[0]!;
}
