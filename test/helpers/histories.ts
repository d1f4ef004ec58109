// Realistic callback histories of one transaction, for ordering properties: each fact the
// provider reports (a status, a signer action, a step) is delivered one to three times, from
// callbacks, polls or re-notifications, in any order, with the application's registration
// anywhere in between (or never, for a transaction only the provider knows about).
import fc from 'fast-check';
import { applyEvent, newState, register } from '../../src/common/transaction-state';
import type {
  EventSource,
  EventType,
  ProviderEvent,
  TransactionKind,
  TransactionState,
  TransactionStatus,
} from '../../src/common/types';

export interface Fact {
  key: string;
  type: EventType;
  status?: TransactionStatus;
  providerStatus: string;
}

export interface History {
  kind: TransactionKind;
  facts: Fact[];
  /** Every delivery of every fact, in arrival order. */
  deliveries: ProviderEvent[];
  /** `start`: registered before any callback; a number: registered after that many deliveries. */
  registration: 'start' | 'never' | number;
}

const FINAL: Fact[] = [
  { key: 'status:30', type: 'signed', status: 'signed', providerStatus: '30' },
  { key: 'status:40', type: 'rejected', status: 'rejected', providerStatus: '40' },
  { key: 'status:50', type: 'expired', status: 'expired', providerStatus: '50' },
  { key: 'status:60', type: 'cancelled', status: 'cancelled', providerStatus: '60' },
  { key: 'status:70', type: 'failed', status: 'failed', providerStatus: '70' },
];

// Non-final facts of a signing transaction. Two pending codes (like Evrotrust 1 and 99) report
// the same status with different provider values.
const SIGNING_PROGRESS: Fact[] = [
  { key: 'status:5', type: 'statusReported', status: 'pending', providerStatus: '5' },
  { key: 'status:10', type: 'statusReported', status: 'pending', providerStatus: '10' },
  { key: 'status:20', type: 'statusReported', status: 'in_progress', providerStatus: '20' },
  { key: 'STEP-1', type: 'stepCompleted', status: 'in_progress', providerStatus: 'STEP-1' },
  { key: 'STEP-2', type: 'stepCompleted', status: 'in_progress', providerStatus: 'STEP-2' },
  { key: 'status:unknown', type: 'statusReported', providerStatus: 'unknown' },
];

const signerAction = (n: number): Fact => ({
  key: `activity:${n}`,
  type: 'signerAction',
  providerStatus: String(101 + (n % 5)),
});

// A registered mail ends either delivered (maybe opened) or not delivered; opened may arrive
// without a delivery certificate.
const MAIL_OUTCOMES: Fact[][] = [
  [],
  [{ key: 'DELIVERED', type: 'delivered', status: 'delivered', providerStatus: 'DELIVERED' }],
  [
    { key: 'DELIVERED', type: 'delivered', status: 'delivered', providerStatus: 'DELIVERED' },
    { key: 'OPENED', type: 'opened', status: 'opened', providerStatus: 'OPENED' },
  ],
  [{ key: 'OPENED', type: 'opened', status: 'opened', providerStatus: 'OPENED' }],
  [{ key: 'NOT-DELIVERED', type: 'notDelivered', status: 'not_delivered', providerStatus: 'NOT-DELIVERED' }],
];
const MAIL_OTHER: Fact[] = [
  { key: 'FORWARDED', type: 'statusReported', providerStatus: 'FORWARDED' },
  { key: 'BOUNCED-SOFT', type: 'statusReported', providerStatus: 'BOUNCED-SOFT' },
];

const signingFacts: fc.Arbitrary<Fact[]> = fc
  .tuple(
    fc.option(fc.constantFrom(...FINAL), { nil: undefined }),
    fc.subarray(SIGNING_PROGRESS),
    fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }),
  )
  .map(([final, progress, actions]) => [...progress, ...actions.map(signerAction), ...(final ? [final] : [])]);

const mailFacts: fc.Arbitrary<Fact[]> = fc
  .tuple(fc.constantFrom(...MAIL_OUTCOMES), fc.subarray(MAIL_OTHER))
  .map(([outcome, other]) => [...outcome, ...other]);

const SOURCES: EventSource[] = ['callback', 'poll', 'notify'];

/** A history of one kind: the facts, their duplicated deliveries shuffled, and when registration came. */
export function historyArbitrary(kinds: TransactionKind[] = ['signing', 'registered-mail']): fc.Arbitrary<History> {
  return fc
    .constantFrom(...kinds)
    .chain((kind) => fc.tuple(fc.constant(kind), kind === 'signing' ? signingFacts : mailFacts))
    .chain(([kind, facts]) =>
      fc.tuple(
        fc.constant(kind),
        fc.constant(facts),
        // Each fact once to three times, each time from some source at some second.
        fc.tuple(
          ...facts.map((fact) =>
            fc
              .array(fc.tuple(fc.constantFrom(...SOURCES), fc.integer({ min: 0, max: 86_400 })), {
                minLength: 1,
                maxLength: 3,
              })
              .map((copies) => copies.map(([source, second]) => deliveryOf(fact, source, second))),
          ),
        ),
      ),
    )
    .chain(([kind, facts, copies]) => {
      const all = copies.flat();
      return fc.tuple(
        fc.constant(kind),
        fc.constant(facts),
        // Arrival order: any permutation.
        fc.array(fc.double({ noNaN: true }), { minLength: all.length, maxLength: all.length }).map((sortKeys) =>
          all
            .map((d, i) => ({ d, k: sortKeys[i] }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.d),
        ),
        fc.oneof(fc.constant<'start'>('start'), fc.constant<'never'>('never'), fc.integer({ min: 0, max: all.length })),
      );
    })
    .map(([kind, facts, deliveries, registration]) => ({ kind, facts, deliveries, registration }));
}

function deliveryOf(fact: Fact, source: EventSource, second: number): ProviderEvent {
  return {
    key: fact.key,
    type: fact.type,
    source,
    receivedAt: new Date(Date.UTC(2026, 0, 1) + second * 1000).toISOString(),
    ...(fact.status !== undefined && { status: fact.status }),
    providerStatus: fact.providerStatus,
  };
}

/** The state the pure reducer reaches by applying the history in its arrival order. */
export function fold(h: History, externalId = 'x'): TransactionState {
  const provider = h.kind === 'registered-mail' ? 'portal-de-assinaturas' : 'signhost';
  const at = '2026-01-01T00:00:00.000Z';
  const state = newState({ provider, kind: h.kind, externalId, registered: h.registration === 'start' }, at);
  h.deliveries.forEach((event, i) => {
    if (h.registration === i) register(state, {}, at);
    applyEvent(state, event, at);
  });
  if (h.registration === h.deliveries.length) register(state, {}, at);
  return state;
}

const SIGNING_RANK: Partial<Record<TransactionStatus, number>> = { pending: 1, in_progress: 2 };
const MAIL_RANK: Partial<Record<TransactionStatus, number>> = { sent: 0, delivered: 1, not_delivered: 1, opened: 2 };

/**
 * What the final state must be, worked out from the set of facts alone (no order): the one
 * final status if there is one, else the furthest progress reported; unregistered until the
 * application registers it.
 */
export function expectedOutcome(h: History): { status: TransactionStatus; registered: boolean; keys: string[] } {
  const keys = [...new Set(h.facts.map((f) => f.key))].sort();
  const registered = h.registration !== 'never';
  if (!registered) return { status: 'unregistered', registered, keys };
  const statuses = h.facts.map((f) => f.status).filter((s): s is TransactionStatus => s !== undefined);
  if (h.kind === 'signing') {
    const final = statuses.find((s) => !(s in SIGNING_RANK));
    if (final) return { status: final, registered, keys };
    return { status: furthest(statuses, SIGNING_RANK) ?? 'pending', registered, keys };
  }
  return { status: furthest(statuses, MAIL_RANK) ?? 'sent', registered, keys };
}

function furthest(
  statuses: TransactionStatus[],
  rank: Partial<Record<TransactionStatus, number>>,
): TransactionStatus | undefined {
  return [...statuses].sort((a, b) => (rank[b] ?? -1) - (rank[a] ?? -1))[0];
}

/** The parts of a final state that must not depend on arrival order. */
export function outcomeOf(s: TransactionState): { status: TransactionStatus; registered: boolean; keys: string[] } {
  return { status: s.status, registered: s.registered, keys: s.events.map((e) => e.key).sort() };
}
