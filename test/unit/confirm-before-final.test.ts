// The reducer's side of confirm-before-final: a final status from an unverified callback is
// held until the provider's own answer, and the state says how each final status came about.
import { applyEvent, newState, register } from '../../src/common/transaction-state';
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
  expect(s.awaitingConfirmation).toEqual({ status: 'signed', providerStatus: 'signed', receivedAt: AT });
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
