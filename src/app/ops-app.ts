import express from 'express';
import type { Metrics } from '../platform/metrics';

/**
 * The worker role's small HTTP surface, for orchestrators and Prometheus: `/healthz`
 * (process up), `/readyz` (the worker is polling its task queue), `/metrics` (follow-ups).
 */
export function createOpsApp(deps: { metrics: Metrics; ready: () => boolean }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res) =>
    deps.ready()
      ? res.json({ status: 'ready' })
      : res.status(503).json({ status: 'unavailable', detail: 'worker not running' }),
  );
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.use((_req, res) => res.status(404).json({ error: 'not found' }));
  return app;
}
