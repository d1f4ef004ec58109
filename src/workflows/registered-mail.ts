import { runTransaction } from './run-transaction';
import type { TransactionInput, TransactionState } from '../common/types';

/**
 * A registered mail. Its callbacks are the only source of truth (the providers tracking it
 * have no status API), so the engine never polls; it waits for `opened` (HTML mails
 * only) or `not_delivered`, and a mail that stays `delivered` closes at its deadline.
 */
export async function registeredMailWorkflow(input: TransactionInput): Promise<TransactionState> {
  return runTransaction(input, {
    settled: (s) => s.registered && (s.status === 'opened' || s.status === 'not_delivered'),
    followsUp: false,
  });
}
