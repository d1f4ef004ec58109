// Evrotrust (docs/providers/evrotrust.md). Callbacks carry no credentials: they are trusted only
// for transactions the application registered, and the sender address list is the only
// other guard. Evrotrust appends `/document/ready` or `/document/offline/ready` to urlCallback.
import { z } from 'zod';
import type { EvrotrustSettings } from './config';
import type { EventType, ProviderEvent, TransactionStatus } from '../../common/types';
import {
  describeIssues,
  standardAnswer,
  UNVERIFIED,
  type CallbackRequest,
  type ParsedCallback,
  type Provider,
} from '../provider';

/** Evrotrust status code → normalized status, event type and a readable label. */
export const EVROTRUST_STATUSES: Record<number, { status: TransactionStatus; type: EventType; label: string }> = {
  1: { status: 'pending', type: 'statusReported', label: 'pending' },
  2: { status: 'signed', type: 'signed', label: 'signed' },
  3: { status: 'rejected', type: 'rejected', label: 'rejected' },
  4: { status: 'expired', type: 'expired', label: 'expired' },
  5: { status: 'failed', type: 'failed', label: 'failed' },
  6: { status: 'cancelled', type: 'cancelled', label: 'withdrawn' },
  7: { status: 'failed', type: 'failed', label: 'undeliverable' },
  8: { status: 'failed', type: 'failed', label: 'face recognition failed' },
  99: { status: 'pending', type: 'statusReported', label: 'on hold' },
};

// Evrotrust's documentation (docs/providers/evrotrust.md) calls `status` "integer or string" and its example values are words, while the
// table says int: accept a code as number or numeric string, or the word for it.
const STATUS_WORDS: Record<string, number> = {
  pending: 1,
  signed: 2,
  rejected: 3,
  expired: 4,
  failed: 5,
  withdrawn: 6,
  undeliverable: 7,
  onhold: 99,
};

// A numeric status this table does not know is kept as reported and recorded without moving
// the transaction, as for the other providers: refusing it would lose it (Evrotrust stops
// after three tries). Words are only the documented ones: an unknown word is refused.
const statusField = z.union([z.number().int().nonnegative(), z.string().trim().min(1).max(100)]).transform((v, ctx) => {
  const code =
    typeof v === 'number' ? v : /^\d{1,9}$/.test(v) ? Number(v) : STATUS_WORDS[v.toLowerCase().replace(/[\s_-]/g, '')];
  if (code === undefined) {
    ctx.addIssue({ code: 'custom', message: 'unknown Evrotrust status word' });
    return z.NEVER;
  }
  return code;
});

export const evrotrustCallbackSchema = z.object({
  transactionID: z.union([z.string().trim().min(1).max(200), z.number().int().nonnegative()]).transform(String),
  status: statusField,
  // Evrotrust sends `null` when there is no reason.
  rejectReason: z
    .string()
    .max(2000)
    .nullish()
    .transform((v) => v ?? undefined),
});
export type EvrotrustCallback = z.input<typeof evrotrustCallbackSchema>;

export function evrotrustEvent(
  code: number,
  source: ProviderEvent['source'],
  receivedAt: string,
  rejectReason?: string,
): ProviderEvent {
  if (!Object.hasOwn(EVROTRUST_STATUSES, code)) {
    return {
      key: `status:${code}`,
      type: 'statusReported',
      source,
      receivedAt,
      providerStatus: String(code),
      details: { label: 'unknown status' },
    };
  }
  const entry = EVROTRUST_STATUSES[code];
  return {
    // A status is reported once per transaction; retries and polls repeat the same fact.
    key: `status:${code}`,
    type: entry.type,
    source,
    receivedAt,
    status: entry.status,
    providerStatus: String(code),
    ...(code === 3 && rejectReason !== undefined && { reason: rejectReason }),
    details: { label: entry.label },
  };
}

export function createEvrotrust(settings: Pick<EvrotrustSettings, 'allowedIps'>): Provider {
  return {
    name: 'evrotrust',
    callbackPaths: ['/', '/document/ready', '/document/offline/ready'],
    allowedIps: settings.allowedIps,
    // Nothing in an Evrotrust callback proves its sender; the address list is checked before.
    authenticate: () => UNVERIFIED,
    parseCallback(req: CallbackRequest): ParsedCallback {
      const parsed = evrotrustCallbackSchema.safeParse(req.json);
      if (!parsed.success)
        return { kind: 'refused', refusal: 'invalid-payload', detail: describeIssues(parsed.error.issues, req.json) };
      const { transactionID, status, rejectReason } = parsed.data;
      return {
        kind: 'events',
        ref: { provider: 'evrotrust', kind: 'signing', externalId: transactionID },
        events: [evrotrustEvent(status, 'callback', req.receivedAt, rejectReason)],
      };
    },
    answer: (outcome) => (outcome === 'accepted' ? { status: 200, body: '' } : standardAnswer(outcome)),
  };
}
