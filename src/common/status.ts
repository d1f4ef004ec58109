import type { EventType, TransactionKind, TransactionStatus } from './types';

const SIGNING_FINAL: ReadonlySet<TransactionStatus> = new Set(['signed', 'rejected', 'expired', 'cancelled', 'failed']);

export function isFinal(status: TransactionStatus): boolean {
  return SIGNING_FINAL.has(status);
}

/**
 * Registered mail has no final status in the same sense: `opened` follows `delivered`, and a
 * late certificate may still arrive. Its order is sent < not_delivered|delivered < opened.
 */
const MAIL_RANK: Record<string, number> = { unregistered: 0, sent: 0, not_delivered: 1, delivered: 1, opened: 2 };
// `unconfirmed` ranks above progress: only a final status (confirmed, or reported by the
// provider's API) moves it on.
const SIGNING_RANK: Record<string, number> = { unregistered: 0, pending: 1, in_progress: 2, unconfirmed: 3 };

/**
 * Whether `next` may replace `current`. A final status never goes back (STEP-1 arriving after
 * FLOW changes nothing); among non-final ones, progress only moves forward.
 */
export function canTransition(kind: TransactionKind, current: TransactionStatus, next: TransactionStatus): boolean {
  if (current === next) return false;
  if (kind === 'registered-mail') {
    return (
      (MAIL_RANK[next] ?? -1) > (MAIL_RANK[current] ?? -1) || (current === 'unregistered' && next !== 'unregistered')
    );
  }
  if (isFinal(current)) return false;
  if (isFinal(next)) return true;
  return (SIGNING_RANK[next] ?? -1) > (SIGNING_RANK[current] ?? -1);
}

/** The status a kind starts in once the application registered it. */
export function initialStatus(kind: TransactionKind): TransactionStatus {
  return kind === 'registered-mail' ? 'sent' : 'pending';
}

/** Final signing statuses mapped to the event type that reports them. */
export const FINAL_EVENT_TYPE: Record<string, EventType> = {
  signed: 'signed',
  rejected: 'rejected',
  expired: 'expired',
  cancelled: 'cancelled',
  failed: 'failed',
};

/** Ends a transaction without being one of the provider's finals: nothing else can be claimed. */
export const isUnconfirmed = (status: TransactionStatus) => status === 'unconfirmed';
