import { applyEvent, newState, register } from '../../src/common/transaction-state';
import { canTransition } from '../../src/common/status';
import type { ProviderEvent, TransactionStatus } from '../../src/common/types';

const at = '2026-01-01T00:00:00.000Z';
const ev = (
  key: string,
  status: TransactionStatus | undefined,
  type: ProviderEvent['type'] = 'statusReported',
): ProviderEvent => ({
  key,
  type,
  source: 'callback',
  receivedAt: at,
  providerStatus: key,
  ...(status && { status }),
});

describe('transaction state', () => {
  const registered = () => newState({ provider: 'evrotrust', kind: 'signing', externalId: 'x', registered: true }, at);

  it('starts pending with the deterministic workflow id', () => {
    const s = registered();
    expect(s.status).toBe('pending');
    expect(s.workflowId).toBe('signing:evrotrust:x');
  });

  it('applies a duplicate once', () => {
    const s = registered();
    expect(applyEvent(s, ev('status:2', 'signed', 'signed'), at)).toBe('status-changed');
    expect(applyEvent(s, ev('status:2', 'signed', 'signed'), at)).toBe('duplicate');
    expect(s.events).toHaveLength(1);
  });

  it('never moves a final status back, but keeps the late event', () => {
    const s = registered();
    applyEvent(s, ev('FLOW', 'signed', 'signed'), at);
    expect(applyEvent(s, ev('STEP-1', 'in_progress', 'stepCompleted'), at)).toBe('recorded');
    expect(s.status).toBe('signed');
    expect(s.events[1]).toMatchObject({ key: 'STEP-1', applied: false });
  });

  it('does not go from in_progress back to pending', () => {
    const s = registered();
    applyEvent(s, ev('a', 'in_progress'), at);
    applyEvent(s, ev('b', 'pending'), at);
    expect(s.status).toBe('in_progress');
  });

  it('keeps an unregistered transaction unregistered, then replays its events on registration', () => {
    const s = newState({ provider: 'signhost', kind: 'signing', externalId: 'y', registered: false }, at);
    applyEvent(s, ev('status:20', 'in_progress'), at);
    applyEvent(s, ev('status:30', 'signed', 'signed'), at);
    expect(s.status).toBe('unregistered');
    expect(register(s, { reference: 'order-7' }, at)).toEqual({ newlyRegistered: true });
    expect(s.status).toBe('signed');
    expect(s.reference).toBe('order-7');
    expect(register(s, {}, at)).toEqual({ newlyRegistered: false });
  });

  it('orders registered mail sent < delivered < opened', () => {
    expect(canTransition('registered-mail', 'sent', 'delivered')).toBe(true);
    expect(canTransition('registered-mail', 'delivered', 'opened')).toBe(true);
    expect(canTransition('registered-mail', 'opened', 'delivered')).toBe(false);
  });
});
