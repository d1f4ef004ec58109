// One pipeline for every provider: route, sender address, size limit, the provider's
// authentication on the raw request, content type, JSON, the provider's parsing, then
// Temporal. A 2xx answer means every event of the callback was durably accepted by Temporal.
//
// It runs as the app's first middleware on Node's own request and response: a callback never
// goes through express's router, body parser or `res.send` (which would hash every answer for
// an ETag). At saturation, the receivers' CPU per callback is what separates them from raw
// `signalWithStart` (bench/README.md).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response, NextFunction } from 'express';
import type { Logger } from '../platform/logger';
import type { Metrics } from '../platform/metrics';
import { attributed, type Answer, type Provider, type Refusal } from '../providers/provider';
import { workflowIdFor } from '../common/ids';
import { describeTemporalError, grpcCode, grpcCodeName, isTemporalOutage } from '../temporal/temporal-errors';
import { deliverEvents, type TransactionContext } from '../temporal/transactions';
import { createAllowlist } from '../providers/kit/address-allowlist';
import { readBody, sizeInBytes } from './read-body';
import type { EventType, ProviderEvent } from '../common/types';
import type { RecentlyAccepted } from './recently-accepted';
import type { RefusalLog } from './refusal-log';
import type { TransactionRateLimit } from './transaction-rate-limit';
import type { Tracer } from '@opentelemetry/api';
import { annotateCallback, traceCallback } from '../tracing/receiver-span';

export interface CallbackReceiverDeps {
  providers: Provider[];
  transactions: TransactionContext;
  logger: Logger;
  metrics: Metrics;
  /** BODY_LIMIT: `256kb`, `1mb`… */
  bodyLimit: string;
  refusals?: RefusalLog;
  /** Answer well within the shortest provider timeout (10 s for the strictest built-in one). */
  deliveryTimeoutMs?: number;
  /** Per-transaction flood control; unset: every callback is signalled. */
  floodControl?: { recent: RecentlyAccepted; rate: TransactionRateLimit };
  /** Set when tracing is on: each callback gets its span (docs/tracing.md). */
  tracer?: Tracer;
}

/** One callback path of one provider. */
interface Route {
  provider: Provider;
  /** The path under `/callbacks/{name}` as the provider declares it. */
  path: string;
  /** `/callbacks/{name}{path}`: what the callback's span is named by. */
  template: string;
  allowed: (ip: string | undefined) => boolean;
}

/** What the pipeline knows of a request besides its body. */
interface Incoming {
  requestId: string;
  started: number;
  /** The request's path as sent (without the query). */
  path: string;
  sender: string | undefined;
}

const isJson = (contentType: string | undefined) =>
  !!contentType && /^application\/([\w.+-]*\+)?json\b/i.test(contentType);

const CALLBACKS = '/callbacks/';

/**
 * The key a request's path is routed by, matched as express routes match: case-insensitive,
 * one trailing slash allowed. Repeated slashes count as one: a callback URL configured with a
 * trailing slash arrives as `…//document/ready` (some providers append their own path).
 */
function routeKey(url: string): string {
  const query = url.indexOf('?');
  let path = (query === -1 ? url : url.slice(0, query)).replace(/\/{2,}/g, '/');
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path.toLowerCase();
}

export function createCallbackReceiver(deps: CallbackReceiverDeps) {
  const routes = new Map<string, Route>();
  /** Each `POST` path answered, as `/openapi.json` names it. */
  const paths: string[] = [];
  for (const provider of deps.providers) {
    const allowed = createAllowlist(provider.allowedIps);
    const mount = `${CALLBACKS}${provider.name}${provider.account ? `/${provider.account}` : ''}`;
    for (const path of provider.callbackPaths) {
      const full = `${mount}${path === '/' ? '' : path}`;
      // An account named like one of the provider's own path segments must not take its route.
      if (routes.has(routeKey(full))) throw new Error(`two receivers for ${full}: rename the account`);
      routes.set(routeKey(full), { provider, path, template: full, allowed });
      paths.push(full);
    }
  }
  const limit = sizeInBytes(deps.bodyLimit);
  const providerNames = new Set(deps.providers.map((p) => p.name));

  /**
   * A path under a provider that no receiver serves: most likely an account name misspelt in
   * the URL given to the provider, so the operator hears of it (the provider only sees a 404).
   */
  const unrouted = (req: Request, res: Response, next: NextFunction) => {
    const provider = routeKey(req.url).slice(CALLBACKS.length).split('/')[0];
    if (!providerNames.has(provider)) return next();
    deps.logger.warn(
      { provider, path: req.url.split('?', 1)[0].slice(0, 200), sender: req.ip },
      'callback to a path no account serves',
    );
    writeAnswer(res, { status: 404, body: { error: 'no such callback path (unknown account?)' } });
  };

  const receiver = (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || req.url.slice(0, CALLBACKS.length).toLowerCase() !== CALLBACKS) return next();
    const route = routes.get(routeKey(req.url));
    if (!route) return unrouted(req, res, next);
    const incoming: Incoming = {
      requestId: randomUUID(),
      started: Date.now(),
      path: req.url.split('?', 1)[0],
      sender: req.ip,
    };
    const named = { template: route.template, provider: route.provider.name };
    const handled = traceCallback(deps.tracer, req, res, named, () => receive(route, deps, limit, incoming, req, res));
    handled.catch((err: unknown) => {
      // The pipeline answers every outcome itself; this is a bug, answered as one.
      deps.logger.error(
        { requestId: incoming.requestId, provider: route.provider.name, err: String(err) },
        'callback pipeline failed',
      );
      if (!res.headersSent) writeAnswer(res, { status: 500 });
    });
  };
  return Object.assign(receiver, { paths });
}

async function receive(
  route: Route,
  deps: CallbackReceiverDeps,
  limit: number,
  incoming: Incoming,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const { provider } = route;
  deps.metrics.callbacksReceived.inc({ provider: provider.name });
  const answer = (outcome: 'accepted' | Refusal, detail?: string) =>
    send(provider, deps, res, outcome, incoming.started, detail);
  const refuse = (refusal: Refusal, detail: string, workflowId?: string) =>
    answer(refusal, logRefusal(provider, deps, incoming, refusal, detail, workflowId));

  // An address that may not send learns nothing, and costs no body read (Node reads off what
  // is left of the request once the answer is out).
  if (!route.allowed(incoming.sender)) return refuse('forbidden-address', `sender ${incoming.sender} not allowed`);
  const read = await readBody(req, limit);
  if (read.kind === 'too-large') return refuse('too-large', read.detail);
  if (read.kind === 'unreadable') return refuse('malformed-json', read.detail);
  const outcome = await pipeline(route, deps, incoming, req.headers, read.body);
  if (outcome.kind === 'refused') return refuse(outcome.refusal, outcome.detail, outcome.workflowId);
  return answer('accepted');
}

type PipelineOutcome =
  { kind: 'accepted' } | { kind: 'refused'; refusal: Refusal; detail: string; workflowId?: string };

const ACCEPTED: PipelineOutcome = { kind: 'accepted' };
const refused = (refusal: Refusal, detail: string, workflowId?: string): PipelineOutcome => ({
  kind: 'refused',
  refusal,
  detail,
  workflowId,
});

/** Sender, body and Temporal, for a request routed to `route` whose body is read. */
async function pipeline(
  route: Route,
  deps: CallbackReceiverDeps,
  incoming: Incoming,
  requestHeaders: IncomingMessage['headers'],
  rawBody: Buffer,
): Promise<PipelineOutcome> {
  const { provider } = route;
  const { requestId, started } = incoming;
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(requestHeaders))
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  const raw = { path: route.path, headers, rawBody, receivedAt: new Date(started).toISOString() };

  // Who sent it, before anything reads the body: a sender that cannot prove itself learns
  // nothing about what the body should look like.
  const sender = provider.authenticate(raw);
  if (sender.kind === 'refused') return refused(sender.refusal, sender.detail);
  if (sender.previousSecret) {
    const account = provider.account ?? 'default';
    deps.metrics.callbacksPreviousSecret.inc({ provider: provider.name, account });
    deps.logger.info({ requestId, provider: provider.name, account }, 'callback authenticated by the previous secret');
  }

  let json: unknown;
  if (rawBody.length > 0) {
    const contentType = headers['content-type'];
    if (!isJson(contentType)) {
      if (!provider.anyContentType) return refused('unsupported-media-type', `content type ${contentType ?? '(none)'}`);
      deps.logger.info(
        { requestId, provider: provider.name, contentType: (contentType ?? '(none)').slice(0, 100) },
        'body without a JSON content type read as JSON',
      );
    }
    const text = rawBody.toString('utf8');
    try {
      json = JSON.parse(text);
    } catch {
      json = provider.repairJson?.(text);
      if (json === undefined) return refused('malformed-json', 'body is not valid JSON');
      deps.logger.info({ requestId, provider: provider.name }, 'malformed body repaired as the provider documents it');
    }
  }

  const parsed = attributed(provider.parseCallback({ ...raw, json }), sender.verified);
  // The route says which account: a callback can only reach that account's transactions.
  const outcome =
    parsed.kind === 'events' && provider.account
      ? { ...parsed, ref: { ...parsed.ref, account: provider.account } }
      : parsed;

  if (outcome.kind === 'events' && outcome.notes)
    deps.logger.warn({ requestId, provider: provider.name, notes: outcome.notes }, 'parts of the callback left out');
  if (outcome.kind === 'refused') return refused(outcome.refusal, outcome.detail);
  if (outcome.kind === 'ignored') {
    deps.metrics.callbacksAccepted.inc({ provider: provider.name, delivery: 'ignored' });
    deps.logger.info({ requestId, provider: provider.name, note: outcome.note }, 'callback ignored');
    return ACCEPTED;
  }

  const workflowId = workflowIdFor(outcome.ref);
  annotateCallback({ temporalWorkflowId: workflowId });
  const flood = deps.floodControl;
  // Facts accepted a moment ago are durable already: only the new ones need a signal. Some
  // providers repeat every earlier activity in each callback, so this keeps its cost to what is new.
  const events = flood ? outcome.events.filter((e) => !flood.recent.has(workflowId, [e.key])) : outcome.events;
  const keys = events.map((e) => e.key);
  if (events.length === 0 && outcome.events.length > 0) {
    deps.metrics.callbacksDeduplicated.inc({ provider: provider.name, source: 'recent' });
    deps.logger.debug({ requestId, provider: provider.name, workflowId }, 'callback already accepted recently');
    return ACCEPTED;
  }
  const deliver = async () => {
    // A decisive event (a final status, a delivery) never waits or is refused: the provider
    // may not retry it (some try 3 times, some only once), and there are only a few
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
    if (settled.error instanceof TransactionRateLimited)
      return refused('rate-limited', "over the transaction's callback rate", workflowId);
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
    if (isTemporalOutage(err)) return refused('unavailable', 'Temporal did not accept the signal', workflowId);
    return refused('server-error', `Temporal refused the signal (${code ?? 'no code'}): ${cause}`, workflowId);
  }
  const delivery = settled.value;
  if (delivery === 'unknown-transaction')
    return refused('unknown-transaction', 'no registered transaction', workflowId);
  if (joined) {
    deps.metrics.callbacksDeduplicated.inc({ provider: provider.name, source: 'in-flight' });
    return ACCEPTED;
  }
  flood?.recent.remember(workflowId, keys);
  deps.metrics.callbacksAccepted.inc({ provider: provider.name, delivery });
  if (delivery === 'late') deps.metrics.callbacksLate.inc({ provider: provider.name });
  if (outcome.authenticated) deps.metrics.callbacksMayCreate.inc({ provider: provider.name });
  deps.logger.info(
    { requestId, provider: provider.name, workflowId, delivery, events: keys },
    delivery === 'late' ? 'late callback recorded' : 'callback accepted',
  );
  return ACCEPTED;
}

/** Events that end or settle a transaction, as opposed to progress reports. */
const PROGRESS: ReadonlySet<EventType> = new Set<EventType>(['statusReported', 'signerAction', 'stepCompleted']);
const isDecisive = (event: ProviderEvent) => !PROGRESS.has(event.type);

class TransactionRateLimited extends Error {
  override name = 'TransactionRateLimited';
}

/**
 * Counts, keeps and logs a refusal. Returns the detail that may join the answer: for a
 * payload refused as invalid, the fields at fault (describeIssues never echoes values).
 */
function logRefusal(
  provider: Provider,
  deps: CallbackReceiverDeps,
  incoming: Incoming,
  refusal: Refusal,
  detail: string,
  workflowId?: string,
): string | undefined {
  deps.metrics.callbacksRefused.inc({ provider: provider.name, reason: refusal });
  deps.refusals?.add({
    at: new Date(incoming.started).toISOString(),
    provider: provider.name,
    reason: refusal,
    detail,
    path: incoming.path,
    sender: incoming.sender,
    workflowId,
  });
  deps.logger.warn(
    {
      requestId: incoming.requestId,
      provider: provider.name,
      account: provider.account,
      reason: refusal,
      detail,
      workflowId,
      path: incoming.path,
      sender: incoming.sender,
    },
    'callback refused',
  );
  return refusal === 'invalid-payload' ? detail : undefined;
}

/**
 * `detail` joins a JSON 400 only: a provider answered otherwise (e.g. 200 empty, so a
 * forger learns nothing) gets exactly its usual answer.
 */
function send(
  provider: Provider,
  deps: CallbackReceiverDeps,
  res: ServerResponse,
  outcome: 'accepted' | Refusal,
  started: number,
  detail?: string,
) {
  annotateCallback({ 'countersign.outcome': outcome });
  let answer = provider.answer(outcome);
  if (detail && answer.status === 400 && typeof answer.body === 'object')
    answer = { ...answer, body: { ...answer.body, detail } };
  deps.metrics.answerSeconds.observe(
    { provider: provider.name, status: String(answer.status) },
    (Date.now() - started) / 1000,
  );
  writeAnswer(res, answer);
}

function writeAnswer(res: ServerResponse, answer: Answer) {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  if (answer.body === undefined || answer.body === '') return void res.end();
  const text = typeof answer.body === 'string';
  res.setHeader('content-type', text ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8');
  res.end(text ? answer.body : JSON.stringify(answer.body));
}
