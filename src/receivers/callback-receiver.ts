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
import type { Answer, Provider, Refusal } from '../providers/provider';
import { createAllowlist } from '../providers/kit/address-allowlist';
import { readBody, sizeInBytes } from './read-body';
import { authenticateSender, parseEvents, rawCallback, readJson, type Observers } from './provider-steps';
import { deliver, type DeliveryDeps } from './delivery';
import { ACCEPTED, refused, type PipelineOutcome } from './pipeline-outcome';
import type { RefusalLog } from './refusal-log';
import type { Tracer } from '@opentelemetry/api';
import { annotateCallback, traceCallback } from '../tracing/receiver-span';

export interface CallbackReceiverDeps extends DeliveryDeps {
  providers: Provider[];
  /** BODY_LIMIT: `256kb`, `1mb`… */
  bodyLimit: string;
  refusals?: RefusalLog;
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
  // An address that may not send learns nothing, and costs no body read (Node reads off what
  // is left of the request once the answer is out).
  if (!route.allowed(incoming.sender))
    return refuse(provider, deps, incoming, res, 'forbidden-address', `sender ${incoming.sender} not allowed`);
  const read = await readBody(req, limit);
  if (read.kind === 'too-large') return refuse(provider, deps, incoming, res, 'too-large', read.detail);
  if (read.kind === 'unreadable') return refuse(provider, deps, incoming, res, 'malformed-json', read.detail);
  const outcome = await pipeline(route, deps, incoming, req.headers, read.body);
  if (outcome.kind === 'refused')
    return refuse(provider, deps, incoming, res, outcome.refusal, outcome.detail, outcome.workflowId);
  return send(provider, deps, res, 'accepted', incoming.started);
}

/**
 * Sender, body, events and Temporal, for a request routed to `route` whose body is read. Not
 * async: an early answer needs no promise of its own, and delivery's is handed on as it is.
 */
function pipeline(
  route: Route,
  deps: CallbackReceiverDeps,
  incoming: Incoming,
  headers: IncomingMessage['headers'],
  rawBody: Buffer,
): PipelineOutcome | Promise<PipelineOutcome> {
  const { provider } = route;
  const { requestId, started } = incoming;
  const raw = rawCallback(route.path, headers, rawBody, started);
  const sender = authenticateSender(provider, raw, deps, requestId);
  if (sender.kind === 'refused') return refused(sender.refusal, sender.detail);
  const request = readJson(provider, raw, deps, requestId);
  if ('refusal' in request) return request;
  const callback = parseEvents(provider, request, sender.verified, deps, requestId);
  if (callback.kind === 'refused') return refused(callback.refusal, callback.detail);
  if (callback.kind === 'ignored') return acceptIgnored(provider, callback.note, deps, requestId);
  return deliver(provider, callback, deps, requestId, started);
}

/** A valid callback with nothing to apply: accepted without Temporal. */
function acceptIgnored(provider: Provider, note: string, observers: Observers, requestId: string): PipelineOutcome {
  observers.metrics.callbacksAccepted.inc({ provider: provider.name, delivery: 'ignored' });
  observers.logger.info({ requestId, provider: provider.name, note }, 'callback ignored');
  return ACCEPTED;
}

/** Answers a refusal, once it is counted, kept and logged. */
function refuse(
  provider: Provider,
  deps: CallbackReceiverDeps,
  incoming: Incoming,
  res: ServerResponse,
  refusal: Refusal,
  detail: string,
  workflowId?: string,
) {
  const shown = logRefusal(provider, deps, incoming, refusal, detail, workflowId);
  send(provider, deps, res, refusal, incoming.started, shown);
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
