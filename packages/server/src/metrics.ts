import type { RequestHandler, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { poolsConnections, type ConnectionPoolStats, type SnekError, type SnekStore } from '@snek/core';
import type { ChangeTail } from './change-tail.js';
import type { ConnectionWatch } from './connection-cap.js';
import { routeTemplate } from './route-template.js';

// From a cache hit (well under a millisecond) to a store at its timeout (seconds).
const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** How the store guard reports one method's calls: each call's end, and its error if it failed. */
export interface StoreOperationTimer {
  done(startedAt: number): void;
  failed(startedAt: number, error: SnekError): void;
}

/**
 * One server's metrics, in a registry of its own (never prom-client's global one), so that several servers in one
 * process count apart. The server's parts report here: the app each request, the store guard each store call, the
 * connection cap each connection; the change tail and the store's pool are read when scraped.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests = new Histogram({
    name: 'snek_http_request_duration_seconds',
    help: 'HTTP requests by method, route template (never the raw path; "(unmatched)" when no route took it) and status, from arrival to the last byte sent.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly storeCalls = new Histogram({
    name: 'snek_store_operation_duration_seconds',
    help: 'Calls of the store by operation (get, put, list, changes, ...) and store, failed or not.',
    labelNames: ['operation', 'store'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly storeErrors = new Counter({
    name: 'snek_store_errors_total',
    help: "Store calls that failed, by operation, store and error code: STORE_UNAVAILABLE, STORE_FULL and STORE_CLOSED are the store's faults; others (a cursor the store refuses) the request's.",
    labelNames: ['operation', 'store', 'code'] as const,
    registers: [this.registry],
  });
  private readonly openConnections = new Gauge({ name: 'snek_http_open_connections', help: 'TCP connections the server is serving.', registers: [this.registry] });
  private readonly refusedConnections = new Counter({
    name: 'snek_http_connections_refused_total',
    help: 'Connections answered 503 and closed because server.maxConnections were open.',
    registers: [this.registry],
  });
  private readonly startedAt = Date.now();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Gauges named like counters, which promtool rejects; each is the sum of the gauge of the same name by type.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
  }

  /** The app's middleware that times every request, from the start the request logger noted: about 1 µs of CPU each. */
  requestTimer(): RequestHandler {
    const requests = this.requests;
    // One listener shared by every response (no closure per request): `this` is the response.
    function observe(this: Response): void {
      requests.observe({ method: this.req.method, route: routeTemplate(this), status: this.statusCode }, (performance.now() - this.locals.startedAt) / 1000);
    }
    return (_req, res, next) => {
      res.on('finish', observe);
      next();
    };
  }

  /** For the store guard: one timer per method, its labels bound once. */
  storeOperation(store: string, operation: string): StoreOperationTimer {
    const calls = this.storeCalls.labels({ operation, store });
    const errors = this.storeErrors;
    return {
      done: (startedAt) => calls.observe((performance.now() - startedAt) / 1000),
      failed: (startedAt, error) => {
        calls.observe((performance.now() - startedAt) / 1000);
        errors.inc({ operation, store, code: error.code });
      },
    };
  }

  /** For the connection cap. */
  connectionWatch(): ConnectionWatch {
    return { opened: () => this.openConnections.inc(), closed: () => this.openConnections.dec(), refused: () => this.refusedConnections.inc() };
  }

  /** The change-log tail: how long since it last read the whole log, and the newest seq it has delivered. */
  watchTail(tail: ChangeTail): void {
    const startedAt = this.startedAt;
    new Gauge({
      name: 'snek_change_tail_lag_seconds',
      help: 'Seconds since the change-log tail last started a read that reached the end of the log (since the server started, before its first). Changes committed before then are in the cache and the streams.',
      registers: [this.registry],
      collect() {
        this.set((Date.now() - (tail.lastReadStartedAt || startedAt)) / 1000);
      },
    });
    new Gauge({
      name: 'snek_change_tail_last_seq',
      help: 'The seq of the newest change the tail has delivered; replicas on one store that lag show a lower one (0 before its first read).',
      registers: [this.registry],
      collect() {
        this.set(tail.lastSeq ?? 0);
      },
    });
  }

  /** The store's connection pool, for stores that have one (StoreConnectionPool); read at each scrape, from memory. */
  watchPool(store: SnekStore, storeName: string): void {
    if (!poolsConnections(store)) return;
    const gauges: Partial<Record<keyof ConnectionPoolStats, Gauge<'store'>>> = {};
    // One read of the pool per scrape, shared by the four gauges' collects; a failed read leaves the last counts.
    let latest: Promise<void> | undefined;
    const read = () =>
      (latest ??= store
        .connectionPool()
        .then((stats) => {
          for (const [key, gauge] of Object.entries(gauges)) gauge.set({ store: storeName }, stats[key as keyof ConnectionPoolStats]);
        })
        .catch(() => {})
        .finally(() => (latest = undefined)));
    const gauge = (key: keyof ConnectionPoolStats, name: string, help: string) => (gauges[key] = new Gauge({ name, help, labelNames: ['store'] as const, registers: [this.registry], collect: read }));
    gauge('total', 'snek_store_pool_connections', "Connections open in the store's pool, idle or in use.");
    gauge('idle', 'snek_store_pool_idle_connections', "Open connections of the store's pool that no query holds.");
    gauge('waiting', 'snek_store_pool_waiting_queries', "Queries waiting for a connection of the store's pool because all of its max are in use.");
    gauge('max', 'snek_store_pool_max_connections', "The most connections the store's pool opens.");
  }

  /** The exposition text and its content type, for GET /metrics. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
