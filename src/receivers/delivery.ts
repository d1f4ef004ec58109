// A callback's events to Temporal: only those not accepted a moment ago, once for identical
// callbacks that arrive together, within the transaction's callback rate, before the answer's
// deadline. A 2xx answer means every event of the callback was durably accepted.
import type { CallbackOutcome, Provider } from '../providers/provider';
import type { EventType, ProviderEvent } from '../common/types';
import { workflowIdFor } from '../common/ids';
import { describeTemporalError, grpcCode, grpcCodeName, isTemporalOutage } from '../temporal/temporal-errors';
import { deliverEvents, type DeliveryResult, type TransactionContext } from '../temporal/transactions';
import { annotateCallback } from '../tracing/receiver-span';
import { ACCEPTED, refused, type PipelineOutcome, type Refused } from './pipeline-outcome';
import type { Observers } from './provider-steps';
import type { RecentlyAccepted, Settled } from './recently-accepted';
import type { TransactionRateLimit } from './transaction-rate-limit';

export interface DeliveryDeps extends Observers {
  transactions: TransactionContext;
  /** Answer well within the shortest provider timeout (10 s for the strictest built-in one). */
  deliveryTimeoutMs?: number;
  /** Per-transaction flood control; unset: every callback is signalled. */
  floodControl?: FloodControl;
}

export interface FloodControl {
  recent: RecentlyAccepted;
  rate: TransactionRateLimit;
}

type Events = Extract<CallbackOutcome, { kind: 'events' }>;

interface Signalled {
  settled: Settled<DeliveryResult>;
  /** It waited on an identical callback's signal instead of sending its own. */
  joined: boolean;
}

/** Signals what is new in `callback` to its transaction's workflow; counted and logged. */
export async function deliver(
  provider: Provider,
  callback: Events,
  deps: DeliveryDeps,
  requestId: string,
  started: number,
): Promise<PipelineOutcome> {
  const workflowId = workflowIdFor(callback.ref);
  annotateCallback({ temporalWorkflowId: workflowId });
  const events = newEventsOnly(deps.floodControl, workflowId, callback.events);
  if (events.length === 0 && callback.events.length > 0) {
    deps.metrics.callbacksDeduplicated.inc({ provider: provider.name, source: 'recent' });
    deps.logger.debug({ requestId, provider: provider.name, workflowId }, 'callback already accepted recently');
    return ACCEPTED;
  }
  const keys = events.map((e) => e.key);
  const { settled, joined } = await signalOnce(deps, callback, workflowId, events, keys, started);

  if ('error' in settled) {
    if (settled.error instanceof TransactionRateLimited)
      return refused('rate-limited', "over the transaction's callback rate", workflowId);
    return refusalForTemporalError(settled.error, joined, provider, deps, requestId, workflowId);
  }
  const delivery = settled.value;
  if (delivery === 'unknown-transaction')
    return refused('unknown-transaction', 'no registered transaction', workflowId);
  if (joined) {
    deps.metrics.callbacksDeduplicated.inc({ provider: provider.name, source: 'in-flight' });
    return ACCEPTED;
  }
  deps.floodControl?.recent.remember(workflowId, keys);
  countAccepted(provider, deps, requestId, workflowId, keys, delivery, callback.authenticated);
  return ACCEPTED;
}

/**
 * Facts accepted a moment ago are durable already: only the new ones need a signal. Some
 * providers repeat every earlier activity in each callback, so this keeps its cost to what is new.
 */
export function newEventsOnly(
  flood: FloodControl | undefined,
  workflowId: string,
  events: ProviderEvent[],
): ProviderEvent[] {
  return flood ? events.filter((e) => !flood.recent.has(workflowId, [e.key])) : events;
}

/** Signals the events; with flood control, identical callbacks in flight share one signal. */
function signalOnce(
  deps: DeliveryDeps,
  callback: Events,
  workflowId: string,
  events: ProviderEvent[],
  keys: string[],
  started: number,
): Promise<Signalled> {
  const flood = deps.floodControl;
  if (flood) return flood.recent.once(workflowId, keys, () => signal(deps, callback, workflowId, events, started));
  return signal(deps, callback, workflowId, events, started).then(signalledAlone, failedAlone);
}

// Shared handlers: a callback signalled without flood control creates none of its own.
const signalledAlone = (value: DeliveryResult): Signalled => ({ settled: { value }, joined: false });
const failedAlone = (error: unknown): Signalled => ({ settled: { error }, joined: false });

/** Takes the transaction's rate token unless an event is decisive, then signals by the deadline. */
async function signal(
  deps: DeliveryDeps,
  callback: Events,
  workflowId: string,
  events: ProviderEvent[],
  started: number,
): Promise<DeliveryResult> {
  const flood = deps.floodControl;
  // A decisive event (a final status, a delivery) never waits or is refused: the provider
  // may not retry it (some try 3 times, some only once), and there are only a few
  // per transaction, each signalled once thanks to `recent`.
  if (flood && !events.some(isDecisive) && !(await flood.rate.take(workflowId))) throw new TransactionRateLimited();
  // The deadline counts from arrival, so a wait for a token never stretches the answer.
  return deps.transactions.client.withDeadline(started + (deps.deliveryTimeoutMs ?? 8000), () =>
    deliverEvents(deps.transactions, callback.ref, events, {
      mayCreate: callback.authenticated,
      dossierId: callback.dossierId,
    }),
  );
}

/** Events that end or settle a transaction, as opposed to progress reports. */
const PROGRESS: ReadonlySet<EventType> = new Set<EventType>(['statusReported', 'signerAction', 'stepCompleted']);
const isDecisive = (event: ProviderEvent) => !PROGRESS.has(event.type);

class TransactionRateLimited extends Error {
  override name = 'TransactionRateLimited';
}

/**
 * The answer to a signal Temporal did not take. An outage passes; a refusal (e.g. a search
 * attribute the cluster lacks) stays until an operator acts, so it is answered as this
 * server's own error, never as "retry later". Callbacks that joined another's signal leave
 * the log to that one.
 */
export function refusalForTemporalError(
  err: unknown,
  joined: boolean,
  provider: Provider,
  deps: DeliveryDeps,
  requestId: string,
  workflowId: string,
): Refused {
  const cause = describeTemporalError(err);
  const code = grpcCodeName(grpcCode(err));
  if (!joined)
    deps.logger.error(
      { requestId, provider: provider.name, workflowId, err: cause, code },
      'could not record callback',
    );
  if (isTemporalOutage(err)) return refused('unavailable', 'Temporal did not accept the signal', workflowId);
  return refused('server-error', `Temporal refused the signal (${code ?? 'no code'}): ${cause}`, workflowId);
}

/** What operators see of a callback Temporal accepted: its metrics and its log line. */
function countAccepted(
  provider: Provider,
  deps: DeliveryDeps,
  requestId: string,
  workflowId: string,
  keys: string[],
  delivery: 'accepted' | 'late',
  authenticated: boolean,
) {
  deps.metrics.callbacksAccepted.inc({ provider: provider.name, delivery });
  if (delivery === 'late') deps.metrics.callbacksLate.inc({ provider: provider.name });
  if (authenticated) deps.metrics.callbacksMayCreate.inc({ provider: provider.name });
  deps.logger.info(
    { requestId, provider: provider.name, workflowId, delivery, events: keys },
    delivery === 'late' ? 'late callback recorded' : 'callback accepted',
  );
}
