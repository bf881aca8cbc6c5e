import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT, SnekError, loadAuthProviders, loadStore, reportsStatus, type LoadedConfig, type SnekConfig, type SnekStore } from '@snek/core';
import { createApp } from './app.js';
import { loadConfiguredPacks, seedPacks } from './seed-packs.js';
import { storeLoadOptions } from './store-load-options.js';
import { createLogger } from './logger.js';
import { accessPolicy } from './access.js';
import { guardStore } from './guarded-store.js';
import { describeImport, importSneks, type ImportReport } from './import-sneks.js';
import { problemBody } from './problem.js';
import { answerRaw } from './raw-answer.js';
import { capConnections } from './connection-cap.js';
import { heartbeatFromEnv, liveChanges } from './live-changes.js';
import { ServerMetrics } from './metrics.js';

export interface StartServerOptions {
  loaded: LoadedConfig;
  /** Overrides server.host / server.port (the --host and --port flags). */
  host?: string | undefined;
  port?: number | undefined;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** How long close() lets in-flight requests finish before cutting them; default 10 s. */
  drainTimeoutMs?: number;
  /** The change streams' heartbeat in milliseconds; default SNEK_STREAM_HEARTBEAT_MS, else 15 s. */
  heartbeatMs?: number | undefined;
  /** Sneks to bulk-load before listening (the --import flag); what was skipped is logged. */
  importFrom?: { source: string; type?: string | undefined } | undefined;
}

export interface RunningServer {
  /** http://host:port the server listens on. */
  url: string;
  store: SnekStore;
  /** Stops taking requests, lets those in flight finish, then closes the store. */
  close(): Promise<void>;
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Loads the packs and the configured store, seeds the packs' sneks and listens. Fails before listening if either cannot load. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger(env);
  const { config, filepath, configDir } = options.loaded;
  // Built-in providers (oidc, proxy) resolve through the server's own dependencies, as its packs do.
  const providers = await loadAuthProviders({
    entries: config.server.auth.signIn ?? [],
    publicUrl: config.server.publicUrl,
    configDir,
    file: filepath ?? 'the environment',
    env,
    fallbackFrom: [import.meta.url],
    timeoutMs: config.server.storeTimeout * 1000,
  });
  const closeProviders = () => Promise.all(providers.map((entry) => entry.provider.close?.())).then(() => undefined);
  const access = accessPolicy(config.server.auth, env, providers);
  if (access.sessions.sourceEnv === undefined && access.read === 'token' && config.server.web !== false) {
    logger.warn('server.auth.sessionKeysEnv is not set: gallery sign-ins use a random key made at start, so they end when the server restarts and are not shared with other replicas. Set it to the name of an environment variable that holds a key every replica shares (openssl rand -base64 32).');
  }
  const packs = await loadConfiguredPacks(options.loaded);
  const { store: loadedStore, plugin, found } = await loadStore(storeLoadOptions(options.loaded));
  // A registry per server: several servers in one process (tests, embedders) count apart.
  const metrics = config.server.metrics ? new ServerMetrics() : undefined;
  const guarded = guardStore(loadedStore, plugin.name, metrics);
  // With a change log: GET one snek from a cache the log's tail keeps fresh, and the change stream.
  const live = liveChanges(guarded, { maxStaleMs: config.server.cacheMaxStaleMs, heartbeatMs: options.heartbeatMs ?? heartbeatFromEnv(env), logger });
  const store = live?.store ?? guarded;
  if (live) metrics?.watchTail(live.tail);
  metrics?.watchPool(guarded, plugin.name);
  let server: Server;
  let stopCap = () => {};
  try {
    // Packs first: a store without a seed ledger is seeded only while empty, and --import would fill it.
    const seeded = await seedPacks(store, packs);
    if (options.importFrom) logImport(logger, plugin.name, await importSneks(store, options.importFrom));
    const status = reportsStatus(store) ? await store.status() : {};
    logger.info({ store: plugin.name, from: found.url, packs: seeded.packs, seedRule: seeded.rule, config: filepath, status }, `store "${plugin.name}" open`);
    if (typeof status['skipped'] === 'number' && status['skipped'] > 0) {
      logger.warn({ skippedFiles: status['skippedFiles'] }, `store "${plugin.name}" skipped ${status['skipped']} unreadable records; see /readyz`);
    }
    await live?.start();
    server = createServer(timeouts(config.server), createApp({ store, changeStreams: live?.streams, answers: live?.answers, storeName: plugin.name, packs: seeded.packs, access, corsOrigins: config.server.cors ?? [], logger, version: VERSION, web: config.server.web ?? true, trustProxy: config.server.trustProxy ?? false, publicUrl: config.server.publicUrl, limits: config.server.limits, metrics: metrics && { metrics, allow: config.server.metrics!.allow } }));
    server.on('clientError', answerClientError);
    stopCap = capConnections(server, config.server.maxConnections ?? DEFAULT_MAX_CONNECTIONS, logger, metrics?.connectionWatch());
    await listen(server, options.host ?? config.server.host, options.port ?? config.server.port);
  } catch (error) {
    await live?.close();
    await store.close();
    await closeProviders();
    throw error;
  }
  const url = urlOf(server);
  const writes = access.tokens.some((token) => token.scopes.has('write')) || providers.some((entry) => entry.provider.verifyBearer) ? 'enabled' : 'disabled (no token with the write scope)';
  logger.info({ url, reads: access.read, writes, signIn: providers.map((entry) => entry.name) }, `Snek server listening on ${url}`);
  let closing: Promise<void> | undefined;
  const close = () => {
    if (closing) return closing;
    const drained = drain(server, options.drainTimeoutMs ?? 10_000);
    // The server no longer listens: end the change streams, which would otherwise hold the drain to its timeout.
    live?.streams.closeAll();
    return (closing = drained.then(stopCap).then(() => live?.close()).then(() => store.close()).then(closeProviders).then(() => logger.info('Snek server stopped')));
  };
  return { url, store, close };
}

function logImport(logger: Logger, storeName: string, report: ImportReport): void {
  const { imported, created, kept, skipped, seconds } = report;
  logger.info({ store: storeName, imported, created, kept, skipped: skipped.length, seconds }, describeImport(report, storeName));
  if (skipped.length) logger.warn({ skipped: skipped.slice(0, 20) }, skipped.length === 1 ? 'skipped 1 record that is not a valid snek' : `skipped ${skipped.length} records that are not valid sneks`);
}

/**
 * How long a client may take to send a request: server.requestTimeout for all of it, at most 15 s of that
 * for the headers. Node checks these once per connectionsCheckingInterval (30 s unless set).
 */
function timeouts(server: SnekConfig['server']) {
  const requestTimeout = (server.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT) * 1000;
  return { requestTimeout, headersTimeout: Math.min(requestTimeout, 15_000), connectionsCheckingInterval: Math.min(1000, requestTimeout / 2) };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'is already in use' : error.code === 'EADDRNOTAVAIL' ? 'is not an address of this machine' : `failed (${error.code ?? error.message})`;
      reject(new SnekError('CONFIG_INVALID', `Listening on ${host}:${port} ${reason}. Choose another server.host / server.port, or pass --host / --port.`, { cause: error }));
    });
    server.listen(port, host, () => resolve());
  });
}

/** Requests too broken for express (a 20 KB query string, bad framing, too slow) still get a problem+json answer. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  answerRaw(socket, clientProblem(error));
}

function clientProblem(error: NodeJS.ErrnoException): SnekError {
  if (error.code === 'HPE_HEADER_OVERFLOW') return new SnekError('REQUEST_HEADERS_TOO_LARGE', 'The request line and headers are over 16 KiB. Shorten the query string or the headers.');
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new SnekError('REQUEST_TIMEOUT', 'The request did not arrive whole within server.requestTimeout (headers within at most 15 s). Send it at once, or raise server.requestTimeout.');
  return new SnekError('REQUEST_INVALID', `The request is not valid HTTP (${error.code ?? 'parse error'}).`);
}

function urlOf(server: Server): string {
  const { address, port, family } = server.address() as AddressInfo;
  return `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`;
}

function drain(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
    // Keep-alive sockets go idle as their last response ends; close them then, not at their timeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearTimeout(force);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
