import { createHash } from 'node:crypto';
import pg from 'pg';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

/**
 * The NOTIFY channel of a schema's change log: a hash, so that any schema name (up to 63 bytes) gives a channel
 * within PostgreSQL's 63-byte limit, and two stores in one database never hear each other.
 */
export function changeChannel(schema: string): string {
  return `snek_changes_${createHash('sha256').update(`@snek/store-postgres changes ${schema}`).digest('hex').slice(0, 24)}`;
}

export interface ChangeFeedSettings {
  /** Where the feed connects: the store's own connection settings, or `listenUrl`'s. */
  connection: pg.ClientConfig;
  channel: string;
  connectTimeoutMs: number;
  applicationName: string;
}

/**
 * One dedicated connection (not from the pool: a pooled connection goes back to other work, and its LISTEN with it)
 * that LISTENs on the channel. It wakes on every notification and after every (re)connect, since a notification
 * sent while it was away is lost. A lost connection (pg_terminate_backend, PostgreSQL restarting) is replaced with
 * backoff, 0.1 s doubling to 5 s; none of its errors reach the process.
 */
export class ChangeFeed {
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private wait = FIRST_RETRY_MS;
  private stopped = false;

  constructor(
    private readonly settings: ChangeFeedSettings,
    private readonly wake: () => void,
  ) {}

  /** Resolves once the first attempt to listen is done: listening, or failed and retrying in the background. */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Closes the connection; no wake comes after it resolves. Calling it again does nothing. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const { connection, channel, connectTimeoutMs, applicationName } = this.settings;
    const client = new pg.Client({ ...connection, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true, keepAliveInitialDelayMillis: 10_000, application_name: applicationName });
    const lost = () => this.lost(client);
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel === channel) this.notify();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch {
      await client.end().catch(() => undefined);
      this.again();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.wait = FIRST_RETRY_MS;
    this.notify();
  }

  private lost(client: pg.Client): void {
    if (client !== this.client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.again();
  }

  private again(): void {
    if (this.stopped) return;
    this.retry = setTimeout(() => void this.connect(), this.wait).unref();
    this.wait = Math.min(this.wait * 2, MAX_RETRY_MS);
  }

  private notify(): void {
    if (this.stopped) return;
    try {
      this.wake();
    } catch {
      // The server's wake must not take the feed down; it reads the log on its own schedule too.
    }
  }
}
