import type { ProviderEvent, TransactionState } from '../common/types';
import { nowIso } from './transaction-run';

/** The deadline passed with no final status: a signing transaction ends `expired`. */
export function expire(state: TransactionState, onEvent: (e: ProviderEvent) => void): void {
  if (state.kind === 'signing') {
    state.outcomeReason = `deadline ${state.deadline ?? '(default)'} passed with no final status from ${state.provider}`;
    onEvent({
      key: 'engine:deadline',
      type: 'expired',
      source: 'application',
      receivedAt: nowIso(),
      status: 'expired',
      providerStatus: 'deadline',
      reason: state.outcomeReason,
    });
  } else {
    state.outcomeReason = `deadline passed: no further certificate after ${state.status}`;
  }
}
