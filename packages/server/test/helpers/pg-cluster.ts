import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, realpath, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';
const PG_USER = 'postgres';

/** A PostgreSQL of a test's own, to kill and restart at will; never the machine's shared server. */
export interface PgCluster {
  port: number;
  /** postgres://postgres@127.0.0.1:port/postgres (trust auth, so no password). */
  url: string;
  start(): Promise<void>;
  /** pg_ctl stop -m immediate: the postmaster and every backend go at once, as in a crash. */
  kill(): Promise<void>;
  /** kill(), ignoring a cluster that is already down, and removes its folder. */
  destroy(): Promise<void>;
}

/**
 * Why a throwaway cluster cannot be made here, or undefined when it can. initdb refuses root and we must
 * run it as the postgres user, so this needs root and PostgreSQL 15's binaries.
 */
export function pgClusterUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root, so initdb cannot run as the postgres user';
  if (!existsSync(path.join(PG_BIN, 'initdb'))) return `no ${PG_BIN}/initdb (apt-get install postgresql-15)`;
  return undefined;
}

/** The one-line skip rule: say why and skip, except in CI (CI=true), where these tests must run. */
export function skipWithoutPgCluster(): boolean {
  const why = pgClusterUnavailable();
  if (!why) return false;
  if (process.env['CI'] === 'true') throw new Error(`The throwaway-PostgreSQL tests cannot run in CI: ${why}.`);
  process.stderr.write(`Throwaway-PostgreSQL tests skipped: ${why}.\n`);
  return true;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const asPostgres = (command: string, args: string[]) => run('runuser', ['-u', PG_USER, '--', path.join(PG_BIN, command), ...args], { timeout: 60_000 });

/** initdb in a fresh temp folder owned by postgres, and started on a free port on 127.0.0.1 with fsync on. */
export async function createPgCluster(): Promise<PgCluster> {
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'snek-pgcluster-')));
  const { stdout } = await run('id', ['-u', PG_USER]);
  const { stdout: gid } = await run('id', ['-g', PG_USER]);
  await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  const data = path.join(dir, 'data');
  const port = await freePort();
  let up = false;
  const cluster: PgCluster = {
    port,
    url: `postgres://${PG_USER}@127.0.0.1:${port}/postgres`,
    async start() {
      // The socket goes in our folder, so nothing clashes with the shared server's /var/run/postgresql.
      const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200`;
      await asPostgres('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60', '-o', options, 'start']);
      up = true;
    },
    async kill() {
      await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      up = false;
    },
    async destroy() {
      if (up) await cluster.kill().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    // --no-sync only skips initdb's own flush of files a failed run throws away; the server runs with fsync on.
    await asPostgres('initdb', ['-D', data, '-U', PG_USER, '-A', 'trust', '-E', 'UTF8', '--locale', 'C.UTF-8', '--no-sync']);
    await cluster.start();
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}
