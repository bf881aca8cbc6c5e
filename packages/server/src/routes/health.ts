import type { IRouter } from 'express';
import { SnekError, reportsStatus, type SnekStore } from '@snek/core';

/** /healthz: the process answers. Open to all, even on a private server. */
export function livenessRoutes(router: IRouter): void {
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
}

/** /readyz: the store answers too. */
export function readinessRoutes(router: IRouter, store: SnekStore, storeName: string): void {
  router.get('/readyz', async (_req, res) => {
    let details: Record<string, unknown> = {};
    try {
      await store.list({ limit: 1 });
      if (reportsStatus(store)) details = await store.status();
    } catch (error) {
      throw new SnekError('STORE_UNAVAILABLE', `The ${storeName} store is not answering: ${(error as Error).message}`, { cause: error });
    }
    res.json({ status: 'ready', store: storeName, ...details });
  });
}
