// One pipeline for every provider: size limit, sender address, the provider's authentication
// on the raw request, content type, JSON, the provider's parsing, then Temporal. A 2xx answer means every event
// of the callback was durably accepted by Temporal.
import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type NextFunction } from 'express';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { attributed, type Provider, type Refusal } from '../providers/provider';
import { workflowIdFor } from '../shared/ids';
import { describeTemporalError, grpcCode, grpcCodeName, isTemporalOutage } from '../temporal/temporal-errors';
import { deliverEvents, type TransactionContext } from '../temporal/transactions';
import { createAllowlist } from './address-allowlist';
import type { EventType, ProviderEvent } from '../shared/types';
import type { RecentlyAccepted } from './recently-accepted';
import type { RefusalLog } from './refusal-log';
import type { TransactionRateLimit } from './transaction-rate-limit';

export interface CallbackRouterDeps {
  providers: Provider[];
  transactions: TransactionContext;
  logger: Logger;
  metrics: Metrics;
  bodyLimit: string;
  refusals?: RefusalLog;
  /** Answer well within the shortest provider timeout (Signicat: 10 s). */
  deliveryTimeoutMs?: number;
  /** Per-transaction flood control; unset: every callback is signalled. */
  floodControl?: { recent: RecentlyAccepted; rate: TransactionRateLimit };
}

const isJson = (contentType: string | undefined) =>
  !!contentType && /^application\/([\w.+-]*\+)?json\b/i.test(contentType);

export function createCallbackRouter(deps: CallbackRouterDeps): express.Router {
  const router = express.Router();
  // A callback URL configured with a trailing slash arrives as `…//document/ready` (Evrotrust
  // appends its own path): repeated slashes in a callback path are one.
  router.use((req, _res, next) => {
    if (req.url.startsWith('/callbacks/') && req.url.includes('//')) {
      const query = req.url.indexOf('?');
      const path = query === -1 ? req.url : req.url.slice(0, query);
      req.url = path.replace(/\/{2,}/g, '/') + (query === -1 ? '' : req.url.slice(query));
    }
    next();
  });
  for (const provider of deps.providers) {
    const allowed = createAllowlist(provider.allowedIps);
    const handle = callbackHandler(provider, deps, allowed);
    const refuseTooLarge = (err: unknown, req: Request, res: Response, next: NextFunction) => {
      const type = (err as { type?: string }).type;
      if (type === 'entity.too.large')
        return refuse(provider, deps, req, res, 'too-large', 'body over limit', Date.now());
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

    if (!allowed(req.ip))
      return refuse(provider, deps, req, res, 'forbidden-address', `sender ${req.ip} not allowed`, started);

    const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers))
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const mount = `/callbacks/${provider.name}`;
    const raw = {
      path: req.path.slice(mount.length) || '/',
      headers,
      rawBody,
      receivedAt: new Date(started).toISOString(),
    };

    // Who sent it, before anything reads the body: a sender that cannot prove itself learns
    // nothing about what the body should look like.
    const sender = provider.authenticate(raw);
    if (sender.kind === 'refused') return refuse(provider, deps, req, res, sender.refusal, sender.detail, started);

    let json: unknown;
    if (rawBody.length > 0) {
      if (!isJson(req.headers['content-type'])) {
        if (provider.anyContentType) {
          deps.logger.info(
            {
              requestId,
              provider: provider.name,
              contentType: (req.headers['content-type'] ?? '(none)').slice(0, 100),
            },
            'body without a JSON content type read as JSON',
          );
        } else
          return refuse(
            provider,
            deps,
            req,
            res,
            'unsupported-media-type',
            `content type ${req.headers['content-type'] ?? '(none)'}`,
            started,
          );
      }
      const text = rawBody.toString('utf8');
      try {
        json = JSON.parse(text);
      } catch {
        json = provider.repairJson?.(text);
        if (json === undefined)
          return refuse(provider, deps, req, res, 'malformed-json', 'body is not valid JSON', started);
        deps.logger.info(
          { requestId, provider: provider.name },
          'malformed body repaired as the provider documents it',
        );
      }
    }

    const outcome = attributed(provider.parseCallback({ ...raw, json }), sender.verified);

    if (outcome.kind === 'events' && outcome.notes)
      deps.logger.warn({ requestId, provider: provider.name, notes: outcome.notes }, 'parts of the callback left out');
    if (outcome.kind === 'refused') return refuse(provider, deps, req, res, outcome.refusal, outcome.detail, started);
    if (outcome.kind === 'ignored') {
      deps.metrics.callbacksAccepted.inc({ provider: provider.name, delivery: 'ignored' });
      deps.logger.info({ requestId, provider: provider.name, note: outcome.note }, 'callback ignored');
      return send(provider, deps, res, 'accepted', started);
    }

    const workflowId = workflowIdFor(outcome.ref);
    const flood = deps.floodControl;
    // Facts accepted a moment ago are durable already: only the new ones need a signal. A
    // Signhost postback repeats every earlier activity, so this keeps its cost to what is new.
    const events = flood ? outcome.events.filter((e) => !flood.recent.has(workflowId, [e.key])) : outcome.events;
    const keys = events.map((e) => e.key);
    if (events.length === 0 && outcome.events.length > 0) {
      deps.metrics.callbacksDeduplicated.inc({ provider: provider.name, source: 'recent' });
      deps.logger.debug({ requestId, provider: provider.name, workflowId }, 'callback already accepted recently');
      return send(provider, deps, res, 'accepted', started);
    }
    const deliver = async () => {
      // A decisive event (a final status, a delivery) never waits or is refused: the provider
      // may not retry it (Evrotrust tries 3 times, Signicat once), and there are only a few
      // per transaction, each signalled once thanks to `recent`.
      if (flood && !events.some(isDecisive) && !(await flood.rate.take(workflowId))) throw new TransactionRateLimited();
      // The deadline counts from arrival, so a wait for a token never stretches the answer.
      return deps.transactions.client.withDeadline(started + (deps.deliveryTimeoutMs ?? 8000), () =>
        deliverEvents(deps.transactions, outcome.ref, events, {
          mayCreate: outcome.authenticated,
          dossierId: outcome.dossierId,
        }),
      );
    };
    const { settled, joined } = flood
      ? await flood.recent.once(workflowId, keys, deliver)
      : {
          settled: await deliver().then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          ),
          joined: false,
        };

    if ('error' in settled) {
      if (settled.error instanceof TransactionRateLimited) {
        return refuse(
          provider,
          deps,
          req,
          res,
          'rate-limited',
          "over the transaction's callback rate",
          started,
          workflowId,
        );
      }
      const err = settled.error;
      const cause = describeTemporalError(err);
      const code = grpcCodeName(grpcCode(err));
      if (!joined)
        deps.logger.error(
          { requestId, provider: provider.name, workflowId, err: cause, code },
          'could not record callback',
        );
      // An outage passes; a refusal (e.g. a search attribute the cluster lacks) stays until an
      // operator acts, so it is answered as this server's own error, never as "retry later".
      if (isTemporalOutage(err))
        return refuse(
          provider,
          deps,
          req,
          res,
          'unavailable',
          'Temporal did not accept the signal',
          started,
          workflowId,
        );
      return refuse(
        provider,
        deps,
        req,
        res,
        'server-error',
        `Temporal refused the signal (${code ?? 'no code'}): ${cause}`,
        started,
        workflowId,
      );
    }
    const delivery = settled.value;
    if (delivery === 'unknown-transaction') {
      return refuse(provider, deps, req, res, 'unknown-transaction', 'no registered transaction', started, workflowId);
    }
    if (joined) {
      deps.metrics.callbacksDeduplicated.inc({ provider: provider.name, source: 'in-flight' });
      return send(provider, deps, res, 'accepted', started);
    }
    flood?.recent.remember(workflowId, keys);
    deps.metrics.callbacksAccepted.inc({ provider: provider.name, delivery });
    if (delivery === 'late') deps.metrics.callbacksLate.inc({ provider: provider.name });
    if (outcome.authenticated) deps.metrics.callbacksMayCreate.inc({ provider: provider.name });
    deps.logger.info(
      { requestId, provider: provider.name, workflowId, delivery, events: keys },
      delivery === 'late' ? 'late callback recorded' : 'callback accepted',
    );
    return send(provider, deps, res, 'accepted', started);
  };
}

/** Events that end or settle a transaction, as opposed to progress reports. */
const PROGRESS: ReadonlySet<EventType> = new Set<EventType>(['statusReported', 'signerAction', 'stepCompleted']);
const isDecisive = (event: ProviderEvent) => !PROGRESS.has(event.type);

class TransactionRateLimited extends Error {
  override name = 'TransactionRateLimited';
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
  deps.refusals?.add({
    at: new Date(started).toISOString(),
    provider: provider.name,
    reason: refusal,
    detail,
    path: req.path,
    sender: req.ip,
    workflowId,
  });
  deps.logger.warn(
    {
      requestId: res.locals.requestId,
      provider: provider.name,
      reason: refusal,
      detail,
      workflowId,
      path: req.path,
      sender: req.ip,
    },
    'callback refused',
  );
  return send(provider, deps, res, refusal, started, refusal === 'invalid-payload' ? detail : undefined);
}

/**
 * `detail`, for a payload refused as invalid, names the fields at fault (describeIssues never
 * echoes values). It joins a JSON 400 only: a provider answered otherwise (Signhost: 200
 * empty, so a forger learns nothing) gets exactly its usual answer.
 */
function send(
  provider: Provider,
  deps: CallbackRouterDeps,
  res: Response,
  outcome: 'accepted' | Refusal,
  started: number,
  detail?: string,
) {
  let answer = provider.answer(outcome);
  if (detail && answer.status === 400 && typeof answer.body === 'object')
    answer = { ...answer, body: { ...answer.body, detail } };
  deps.metrics.answerSeconds.observe(
    { provider: provider.name, status: String(answer.status) },
    (Date.now() - started) / 1000,
  );
  res.status(answer.status);
  if (answer.headers) res.set(answer.headers);
  if (answer.body === undefined || answer.body === '') return res.end();
  return typeof answer.body === 'string' ? res.type('text/plain').send(answer.body) : res.json(answer.body);
}
