// The reducer's side of confirm-before-final: a final status from an unverified callback is
// held until the provider's own answer, and the state says how each final status came about.
import {
  alreadyRecorded,
  applyEvent,
  attentionOf,
  closingResult,
  decideHeld,
  heldChecked,
  markUnconfirmed,
  newState,
  register,
} from '../../src/common/transaction-state';
import { canTransition } from '../../src/common/status';
import type { ProviderEvent, TransactionState } from '../../src/common/types';

const AT = '2026-12-01T10:00:00.000Z';
const confirm = { confirmUnverifiedFinals: true };

function registered(): TransactionState {
  return newState({ provider: 'evrotrust', kind: 'signing', externalId: 'tx-1', registered: true }, AT);
}
const event = (
  status: 'signed' | 'rejected' | 'pending',
  source: ProviderEvent['source'],
  unverified?: true,
): ProviderEvent => ({
  key: `status:${status}`,
  type: status === 'pending' ? 'statusReported' : status,
  source,
  receivedAt: AT,
  status,
  providerStatus: status,
  ...(unverified && { unverified }),
});

it('holds an unverified final status: recorded, not applied, awaiting the provider', () => {
  const s = registered();
  expect(applyEvent(s, event('signed', 'callback', true), AT, confirm)).toBe('held');
  expect(s.status).toBe('pending');
  // Checked at once (nextCheckAt: now), then on the held-final schedule.
  expect(s.awaitingConfirmation).toEqual({
    status: 'signed',
    providerStatus: 'signed',
    receivedAt: AT,
    checks: 0,
    nextCheckAt: AT,
  });
  expect(s.events).toEqual([
    expect.objectContaining({
      key: 'unverified:status:signed',
      applied: false,
      unverified: true,
      confirmation: 'pending',
    }),
  ]);
  // The same forgery again is a duplicate; the provider's own answer is not.
  expect(applyEvent(s, event('signed', 'callback', true), AT, confirm)).toBe('duplicate');
  expect(applyEvent(s, event('pending', 'poll'), AT, confirm)).toBe('recorded');
  expect(s.status).toBe('pending');
  expect(applyEvent(s, event('signed', 'poll'), AT, confirm)).toBe('status-changed');
  expect(s).toMatchObject({ status: 'signed', finalEstablishedBy: 'provider-api' });
  expect(s.awaitingConfirmation).toBeUndefined();
  expect(s.events[0].confirmation).toBe('confirmed');
});

it('marks a held status the provider contradicts, and never applies it', () => {
  const s = registered();
  applyEvent(s, event('signed', 'callback', true), AT, confirm);
  expect(applyEvent(s, event('rejected', 'poll'), AT, confirm)).toBe('status-changed');
  expect(s).toMatchObject({ status: 'rejected', finalEstablishedBy: 'provider-api' });
  expect(s.events.find((e) => e.key === 'unverified:status:signed')).toMatchObject({
    applied: false,
    confirmation: 'contradicted',
  });
});

it('counts a verified callback at once, and an unverified one where confirmation is off, saying which', () => {
  const verified = registered();
  expect(applyEvent(verified, event('signed', 'callback'), AT, confirm)).toBe('status-changed');
  expect(verified.finalEstablishedBy).toBe('verified-callback');
  const unconfirmed = registered();
  expect(applyEvent(unconfirmed, event('signed', 'callback', true), AT)).toBe('status-changed');
  expect(unconfirmed.finalEstablishedBy).toBe('unverified-callback');
  expect(unconfirmed.events[0]).toMatchObject({ applied: true, unverified: true });
});

it('does not hold progress, and keeps holding across the registration of an unregistered transaction', () => {
  const s = newState({ provider: 'evrotrust', kind: 'signing', externalId: 'tx-2', registered: false }, AT);
  expect(applyEvent(s, event('pending', 'callback', true), AT, confirm)).toBe('recorded');
  expect(applyEvent(s, event('signed', 'callback', true), AT, confirm)).toBe('held');
  register(s, {}, AT);
  expect(s.status).toBe('pending');
  expect(s.awaitingConfirmation).toMatchObject({ status: 'signed' });
  expect(s.finalEstablishedBy).toBeUndefined();
});

describe('a held final past the deadline, and operators', () => {
  const LATER = '2026-12-02T10:00:00.000Z';
  function held(): TransactionState {
    const s = registered();
    applyEvent(s, event('signed', 'callback', true), AT, confirm);
    return s;
  }

  it('counts failed checks and keeps the last error, bounded', () => {
    const s = held();
    heldChecked(s, LATER, 'follow-up failed: ProviderAuthError: 401 ' + 'x'.repeat(5000));
    expect(s.awaitingConfirmation).toMatchObject({ checks: 1, nextCheckAt: LATER });
    expect(s.awaitingConfirmation!.lastError!.length).toBeLessThanOrEqual(500);
    heldChecked(s, LATER, undefined);
    expect(s.awaitingConfirmation).toMatchObject({ checks: 2 });
    expect(s.awaitingConfirmation!.lastError).toMatch(/^follow-up failed: ProviderAuthError: 401/);
  });

  it('ends unconfirmed, not expired: the held event stays pending and the provider can still settle it', () => {
    const s = held();
    heldChecked(s, LATER, 'follow-up failed: 401');
    markUnconfirmed(s, LATER);
    expect(s).toMatchObject({ status: 'unconfirmed', finalEstablishedBy: 'unverified-callback' });
    expect(s.outcomeReason).toMatch(/waited for evrotrust's confirmation.*401/);
    expect(s.events[0].confirmation).toBe('pending');
    expect(attentionOf(s)).toEqual(['held-final']);
    // Progress never moves it; a final from the provider's API does.
    expect(canTransition('signing', 'unconfirmed', 'in_progress')).toBe(false);
    expect(applyEvent(s, event('pending', 'poll'), LATER, confirm)).toBe('recorded');
    expect(s.status).toBe('unconfirmed');
    expect(applyEvent(s, event('signed', 'poll'), LATER, confirm)).toBe('status-changed');
    expect(s).toMatchObject({ status: 'signed', finalEstablishedBy: 'provider-api' });
    expect(s.events[0].confirmation).toBe('confirmed');
    expect(attentionOf(s)).toEqual([]);
  });

  it("applies an operator's acceptance as established by the operator, with who and why", () => {
    const s = held();
    markUnconfirmed(s, LATER);
    expect(decideHeld(s, { decision: 'accept', by: 'ops@example', reason: 'checked the portal' }, LATER)).toBe(
      'status-changed',
    );
    expect(s).toMatchObject({ status: 'signed', finalEstablishedBy: 'operator' });
    expect(s.events.at(-1)).toMatchObject({
      source: 'operator',
      reason: 'accepted by ops@example: checked the portal',
    });
    expect(s.events[0].confirmation).toBe('confirmed');
  });

  it('drops a rejected hold and goes back to waiting', () => {
    const s = held();
    markUnconfirmed(s, LATER);
    decideHeld(s, { decision: 'reject', by: 'ops', reason: 'forged' }, LATER);
    expect(s.status).toBe('pending');
    expect(s.awaitingConfirmation).toBeUndefined();
    expect(s.events[0].confirmation).toBe('rejected');
    expect(s.finalEstablishedBy).toBeUndefined();
  });
});

it('a closed result recognises every event it applied or held by the dedupe record, not its trimmed list', () => {
  const s = registered();
  for (let i = 0; i < 200; i++)
    applyEvent(
      s,
      { ...event('pending', 'callback'), key: `activity:${i}`, type: 'signerAction', status: undefined },
      AT,
    );
  applyEvent(s, event('signed', 'callback', true), AT, confirm);
  const closed = JSON.parse(JSON.stringify(closingResult(s))) as TransactionState;
  expect(closed.events.length).toBeLessThan(200);
  expect(alreadyRecorded(closed, 'activity:0')).toBe(true);
  expect(alreadyRecorded(closed, 'status:signed')).toBe(true);
  expect(alreadyRecorded(closed, 'activity:200')).toBe(false);
});
