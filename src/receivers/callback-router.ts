// One pipeline for every provider: size limit, sender address, content type, JSON, then the
// provider's own parsing and authentication, then Temporal. A 2xx answer means every event
// of the callback was durably accepted by Temporal.
import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type NextFunction } from 'express';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { Provider, Refusal } from '../providers/provider';
import { workflowIdFor } from '../shared/ids';
import { describeTemporalError, grpcCode, grpcCodeName, isTemporalOutage } from '../temporal/temporal-errors';
import { deliverEvents, type TransactionContext } from '../temporal/transactions';
import { createAllowlist } from './address-allowlist';
import type { RefusalLog } from './refusal-log';

export interface CallbackRouterDeps {
  providers: Provider[];
  transactions: TransactionContext;
  logger: Logger;
  metrics: Metrics;
  bodyLimit: string;
  refusals?: RefusalLog;
  /** Answer well within the shortest provider timeout (Signicat: 10 s). */
  deliveryTimeoutMs?: number;
}

const isJson = (contentType: string | undefined) => !!contentType && /^application\/([\w.+-]*\+)?json\b/i.test(contentType);

export function createCallbackRouter(deps: CallbackRouterDeps): express.Router {
  const router = express.Router();
  for (const provider of deps.providers) {
    const allowed = createAllowlist(provider.allowedIps);
    const handle = callbackHandler(provider, deps, allowed);
    const refuseTooLarge = (err: unknown, req: Request, res: Response, next: NextFunction) => {
      const type = (err as { type?: string }).type;
      if (type === 'entity.too.large') return refuse(provider, deps, req, res, 'too-large', 'body over limit', Date.now());
      if (type === 'encoding.unsupported' || type === 'charset.unsupported' || type === 'request.aborted') {
        return refuse(provider, deps, req, res, 'malformed-json', String(type), Date.now());
      }
      next(err);
    };
    for (const path of provider.callbackPaths) {
      const full = `/callbacks/${provider.name}${path === '/' ? '' : path}`;
      router.post(full, express.raw({ type: () => true, limit: deps.bodyLimit }), handle, refuseTooLarge);
    }
  }
  return router;
}

function callbackHandler(provider: Provider, deps: CallbackRouterDeps, allowed: (ip: string | undefined) => boolean) {
  return async (req: Request, res: Response) => {
    const started = Date.now();
    const requestId = randomUUID();
    res.locals.requestId = requestId;
    deps.metrics.callbacksReceived.inc({ provider: provider.name });

    if (!allowed(req.ip)) return refuse(provider, deps, req, res, 'forbidden-address', `sender ${req.ip} not allowed`, started);

    const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let json: unknown;
    if (rawBody.length > 0) {
      if (!isJson(req.headers['content-type'])) {
        return refuse(provider, deps, req, res, 'unsupported-media-type', `content type ${req.headers['content-type'] ?? '(none)'}`, started);
      }
      const text = rawBody.toString('utf8');
      try {
        json = JSON.parse(text);
      } catch {
        json = provider.repairJson?.(text);
        if (json === undefined) return refuse(provider, deps, req, res, 'malformed-json', 'body is not valid JSON', started);
        deps.logger.info({ requestId, provider: provider.name }, 'malformed body repaired as the provider documents it');
      }
    }

    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const mount = `/callbacks/${provider.name}`;
    const outcome = provider.parseCallback({
      path: req.path.slice(mount.length) || '/',
      headers,
      rawBody,
      json,
      receivedAt: new Date(started).toISOString(),
    });

    if (outcome.kind === 'refused') return refuse(provider, deps, req, res, outcome.refusal, outcome.detail, started);
    if (outcome.kind === 'ignored') {
      deps.metrics.callbacksAccepted.inc({ provider: provider.name, delivery: 'ignored' });
      deps.logger.info({ requestId, provider: provider.name, note: outcome.note }, 'callback ignored');
      return send(provider, deps, res, 'accepted', started);
    }

    const workflowId = workflowIdFor(outcome.ref);
    try {
      const delivery = await deps.transactions.client.withDeadline(Date.now() + (deps.deliveryTimeoutMs ?? 8000), () =>
        deliverEvents(deps.transactions, outcome.ref, outcome.events, {
          mayCreate: outcome.authenticated,
          dossierId: outcome.dossierId,
        }),
      );
      if (delivery === 'unknown-transaction') {
        return refuse(provider, deps, req, res, 'unknown-transaction', 'no registered transaction', started, workflowId);
      }
      deps.metrics.callbacksAccepted.inc({ provider: provider.name, delivery });
      if (delivery === 'late') deps.metrics.callbacksLate.inc({ provider: provider.name });
      if (outcome.authenticated) deps.metrics.callbacksMayCreate.inc({ provider: provider.name });
      deps.logger.info(
        { requestId, provider: provider.name, workflowId, delivery, events: outcome.events.map((e) => e.key) },
        delivery === 'late' ? 'late callback recorded' : 'callback accepted',
      );
      return send(provider, deps, res, 'accepted', started);
    } catch (err) {
      const cause = describeTemporalError(err);
      const code = grpcCodeName(grpcCode(err));
      deps.logger.error({ requestId, provider: provider.name, workflowId, err: cause, code }, 'could not record callback');
      // An outage passes; a refusal (e.g. a search attribute the cluster lacks) stays until an
      // operator acts, so it is answered as this server's own error, never as "retry later".
      if (isTemporalOutage(err)) return refuse(provider, deps, req, res, 'unavailable', 'Temporal did not accept the signal', started, workflowId);
      return refuse(provider, deps, req, res, 'server-error', `Temporal refused the signal (${code ?? 'no code'}): ${cause}`, started, workflowId);
    }
  };
}

function refuse(
  provider: Provider,
  deps: CallbackRouterDeps,
  req: Request,
  res: Response,
  refusal: Refusal,
  detail: string,
  started: number,
  workflowId?: string,
) {
  deps.metrics.callbacksRefused.inc({ provider: provider.name, reason: refusal });
  deps.refusals?.add({ at: new Date(started).toISOString(), provider: provider.name, reason: refusal, detail, path: req.path, sender: req.ip, workflowId });
  deps.logger.warn(
    { requestId: res.locals.requestId, provider: provider.name, reason: refusal, detail, workflowId, path: req.path, sender: req.ip },
    'callback refused',
  );
  return send(provider, deps, res, refusal, started);
}

function send(provider: Provider, deps: CallbackRouterDeps, res: Response, outcome: 'accepted' | Refusal, started: number) {
  const answer = provider.answer(outcome);
  deps.metrics.answerSeconds.observe({ provider: provider.name, status: String(answer.status) }, (Date.now() - started) / 1000);
  res.status(answer.status);
  if (answer.body === undefined || answer.body === '') return res.end();
  return typeof answer.body === 'string' ? res.type('text/plain').send(answer.body) : res.json(answer.body);
}
