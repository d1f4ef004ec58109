import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../platform/logger';
import type { Metrics } from '../platform/metrics';
import { parseWorkflowId } from '../common/ids';

/**
 * One JSON line per application API request: request id (also sent back as X-Request-Id),
 * method, route pattern, status and duration. Never the headers, the body or the query: they
 * carry the bearer token and the application's personal data. A path id is logged only when
 * it is a well-formed workflow id, so a caller cannot smuggle anything else into the logs.
 */
export function requestLog(logger: Logger, metrics: Pick<Metrics, 'apiRequests'>, mount: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // Refused before reaching a route (authentication, bad JSON): labelled by the mount point.
      // Express types the matched route as `any`.
      const routePath = (req.route as { path?: string | RegExp } | undefined)?.path;
      const route = routePath ? `${req.baseUrl}${String(routePath)}` : `${mount}/*`;
      const pathId = typeof req.params?.workflowId === 'string' ? req.params.workflowId : undefined;
      const workflowId =
        (res.locals.workflowId as string | undefined) ?? (pathId && parseWorkflowId(pathId) ? pathId : undefined);
      metrics.apiRequests.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      logger.info(
        { requestId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000), workflowId },
        'api request',
      );
    });
    next();
  };
}
