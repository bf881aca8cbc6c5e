import pg from 'pg';

/** The PostgreSQL the tests use: SNEK_TEST_PG_URL, else the local one CI starts (trust auth, database "test"). */
export const TEST_PG_URL = process.env['SNEK_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

let answer: Promise<boolean> | undefined;

/**
 * Whether the PostgreSQL tests can run. Without a reachable PostgreSQL it says so in one line on stderr and
 * answers false, so those tests skip; in CI (CI=true) it throws instead, since there they must run.
 */
export function pgAvailable(): Promise<boolean> {
  return (answer ??= probe());
}

async function probe(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    const line = `PostgreSQL tests skipped: no PostgreSQL at ${new URL(TEST_PG_URL).host} (${(error as Error).message || String(error)}); set SNEK_TEST_PG_URL or start it.`;
    if (process.env['CI'] === 'true') throw new Error(`${line.replace('skipped', 'cannot run in CI')}`);
    process.stderr.write(`${line}\n`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
