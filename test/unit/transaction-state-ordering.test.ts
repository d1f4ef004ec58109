// Ordering properties of the pure reducer: whatever order, duplication and delay a
// transaction's callbacks and polls arrive in, it ends in the same status, the same
// registration and the same set of facts, each recorded once.
import fc from 'fast-check';
import { applyEvent, newState } from '../../src/common/transaction-state';
import type { ProviderEvent } from '../../src/common/types';
import { expectedOutcome, fold, historyArbitrary, outcomeOf } from '../helpers/histories';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 5000);

describe('transaction state: order does not matter', () => {
  it('ends in the state the set of facts implies, for any arrival order, duplication and registration time', () => {
    fc.assert(
      fc.property(historyArbitrary(), (h) => {
        expect(outcomeOf(fold(h))).toEqual(expectedOutcome(h));
      }),
      { numRuns: RUNS },
    );
  });

  it('reaches the same outcome for two arrival orders of the same deliveries', () => {
    fc.assert(
      fc.property(
        historyArbitrary().chain((h) =>
          fc.tuple(fc.constant(h), fc.shuffledSubarray(h.deliveries, { minLength: h.deliveries.length })),
        ),
        ([h, reordered]) => {
          expect(outcomeOf(fold({ ...h, deliveries: reordered }))).toEqual(outcomeOf(fold(h)));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('records each fact once, keeping the first delivery of it', () => {
    fc.assert(
      fc.property(historyArbitrary(), (h) => {
        const s = fold(h);
        for (const record of s.events) {
          const first = h.deliveries.find((d) => d.key === record.key)!;
          expect({ source: record.source, receivedAt: record.receivedAt }).toEqual({
            source: first.source,
            receivedAt: first.receivedAt,
          });
        }
      }),
      { numRuns: Math.ceil(RUNS / 5) },
    );
  });
});

// What the properties above deliberately leave out, pinned here so a change is a decision.
describe('transaction state: what does depend on order', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const ev = (
    key: string,
    status: ProviderEvent['status'],
    type: ProviderEvent['type'],
    providerStatus = key,
  ): ProviderEvent => ({
    key,
    type,
    source: 'callback',
    receivedAt: at,
    providerStatus,
    ...(status && { status }),
  });
  const signing = () => newState({ provider: 'signhost', kind: 'signing', externalId: 'x', registered: true }, at);

  it('keeps the first of two different final statuses (a provider sends only one)', () => {
    const a = signing();
    applyEvent(a, ev('status:30', 'signed', 'signed'), at);
    applyEvent(a, ev('status:40', 'rejected', 'rejected'), at);
    const b = signing();
    applyEvent(b, ev('status:40', 'rejected', 'rejected'), at);
    applyEvent(b, ev('status:30', 'signed', 'signed'), at);
    expect([a.status, b.status]).toEqual(['signed', 'rejected']);
    // Both facts are on record either way; the second is marked as not applied.
    expect(a.events.map((e) => [e.key, e.applied])).toEqual([
      ['status:30', true],
      ['status:40', false],
    ]);
  });

  it('takes providerStatus from the last report of the current status', () => {
    const a = signing();
    applyEvent(a, ev('status:5', 'pending', 'statusReported', '5'), at);
    applyEvent(a, ev('status:10', 'pending', 'statusReported', '10'), at);
    const b = signing();
    applyEvent(b, ev('status:10', 'pending', 'statusReported', '10'), at);
    applyEvent(b, ev('status:5', 'pending', 'statusReported', '5'), at);
    expect([a.providerStatus, b.providerStatus]).toEqual(['10', '5']);
  });

  it('marks a progress report that came after the final status as not applied', () => {
    const a = signing();
    applyEvent(a, ev('STEP-1', 'in_progress', 'stepCompleted'), at);
    applyEvent(a, ev('FLOW', 'signed', 'signed'), at);
    const b = signing();
    applyEvent(b, ev('FLOW', 'signed', 'signed'), at);
    applyEvent(b, ev('STEP-1', 'in_progress', 'stepCompleted'), at);
    expect(a.events.find((e) => e.key === 'STEP-1')?.applied).toBe(true);
    expect(b.events.find((e) => e.key === 'STEP-1')?.applied).toBe(false);
    expect(a.status).toBe(b.status);
  });
});
