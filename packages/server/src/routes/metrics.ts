import type { ServerMetrics } from '../metrics.js';
import type { AreaRoutes } from './area-router.js';

export const METRICS_PATH = '/metrics';

/** GET /metrics: the server's metrics in Prometheus' text format; the health router's guard decides who may read them. */
export function metricsRoutes(router: AreaRoutes, metrics: ServerMetrics): void {
  router.get(METRICS_PATH, async (_req, res) => {
    const { contentType, text } = await metrics.scrape();
    res.type(contentType).send(text);
  });
}
