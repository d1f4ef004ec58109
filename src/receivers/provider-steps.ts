// The pipeline's steps that ask the provider's module, in the order they run: who sent the
// request, its body as JSON, then what it says. Authentication comes first so that a sender
// that cannot prove itself learns nothing about what the body should look like.
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../platform/logger';
import type { Metrics } from '../platform/metrics';
import {
  attributed,
  type CallbackOutcome,
  type CallbackRequest,
  type Provider,
  type RawCallback,
  type SenderVerdict,
} from '../providers/provider';
import { refused, type Refused } from './pipeline-outcome';

/** Where the steps report what an operator should hear of besides the answer. */
export interface Observers {
  logger: Logger;
  metrics: Metrics;
}

/** The request as a provider's module reads it: each header's values joined into one string. */
export function rawCallback(
  path: string,
  requestHeaders: IncomingMessage['headers'],
  rawBody: Buffer,
  started: number,
): RawCallback {
  const headers: Record<string, string | undefined> = {};
  // Keys rather than entries: no pair array per header on the hot path.
  for (const name of Object.keys(requestHeaders)) {
    const value = requestHeaders[name];
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { path, headers, rawBody, receivedAt: new Date(started).toISOString() };
}

/**
 * The provider's verdict on the sender, from the raw body and headers only. A sender proven
 * by a secret being retired is counted, so the operator knows when to drop it.
 */
export function authenticateSender(
  provider: Provider,
  raw: RawCallback,
  observers: Observers,
  requestId: string,
): SenderVerdict {
  const sender = provider.authenticate(raw);
  if (sender.kind === 'sender' && sender.previousSecret) {
    const account = provider.account ?? 'default';
    observers.metrics.callbacksPreviousSecret.inc({ provider: provider.name, account });
    observers.logger.info(
      { requestId, provider: provider.name, account },
      'callback authenticated by the previous secret',
    );
  }
  return sender;
}

const isJson = (contentType: string | undefined) =>
  !!contentType && /^application\/([\w.+-]*\+)?json\b/i.test(contentType);

/**
 * The request with its body read as JSON (`json` undefined when the body is empty), or why it
 * cannot be read: a content type that is not JSON, or text that is not JSON even once the
 * provider's documented defect is repaired.
 */
export function readJson(
  provider: Provider,
  raw: RawCallback,
  observers: Observers,
  requestId: string,
): CallbackRequest | Refused {
  let json: unknown;
  if (raw.rawBody.length > 0) {
    const contentType = raw.headers['content-type'];
    if (!isJson(contentType)) {
      if (!provider.anyContentType) return refused('unsupported-media-type', `content type ${contentType ?? '(none)'}`);
      observers.logger.info(
        { requestId, provider: provider.name, contentType: (contentType ?? '(none)').slice(0, 100) },
        'body without a JSON content type read as JSON',
      );
    }
    const text = raw.rawBody.toString('utf8');
    try {
      json = JSON.parse(text);
    } catch {
      json = provider.repairJson?.(text);
      if (json === undefined) return refused('malformed-json', 'body is not valid JSON');
      observers.logger.info(
        { requestId, provider: provider.name },
        'malformed body repaired as the provider documents it',
      );
    }
  }
  return { ...raw, json };
}

/**
 * What the callback says, attributed to its sender (`verified`). Parts of the body the
 * provider left out are logged whatever happens to the rest.
 */
export function parseEvents(
  provider: Provider,
  request: CallbackRequest,
  verified: boolean,
  observers: Observers,
  requestId: string,
): CallbackOutcome {
  const parsed = attributed(provider.parseCallback(request), verified);
  // The route says which account: a callback can only reach that account's transactions.
  const outcome =
    parsed.kind === 'events' && provider.account
      ? { ...parsed, ref: { ...parsed.ref, account: provider.account } }
      : parsed;
  if (outcome.kind === 'events' && outcome.notes)
    observers.logger.warn(
      { requestId, provider: provider.name, notes: outcome.notes },
      'parts of the callback left out',
    );
  return outcome;
}
