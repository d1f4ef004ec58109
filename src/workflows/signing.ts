import { runTransaction } from './run-transaction';
import { isFinal } from '../common/status';
import type { TransactionInput, TransactionState } from '../common/types';

/** One document sent for signature, from registration (or first callback) to a final status. */
export async function signingWorkflow(input: TransactionInput): Promise<TransactionState> {
  return runTransaction(input, { settled: (s) => s.registered && isFinal(s.status), followsUp: true });
}
