// Signicat Assure (docs/providers/signicat.md). The application creates a process with a
// `notificationUrl` and an `authorizationHeader` value; Signicat posts
// `{dossierId, processId, status}` once the process ends and never retries, so the answer
// must be quick (200 within 10 s) and a lost callback is the follow-up's business.
import { z } from 'zod';
import { secretsEqual } from '../kit/secrets-equal';
import type { SignicatSettings } from './config';
import type { EventType, ProviderEvent, TransactionStatus } from '../../common/types';
import {
  describeIssues,
  standardAnswer,
  UNVERIFIED,
  VERIFIED,
  VERIFIED_BY_PREVIOUS,
  type CallbackRequest,
  type ParsedCallback,
  type Provider,
  type RawCallback,
  type SenderVerdict,
} from '../provider';
import { matchSecret } from '../secrets';

/** Signicat process status → normalized status and event type. */
export const SIGNICAT_STATUSES: Record<string, { status: TransactionStatus; type: EventType }> = {
  pending: { status: 'in_progress', type: 'statusReported' },
  processing: { status: 'in_progress', type: 'statusReported' },
  accepted: { status: 'signed', type: 'signed' },
  rejected: { status: 'rejected', type: 'rejected' },
  inconclusive: { status: 'failed', type: 'failed' },
  failed: { status: 'failed', type: 'failed' },
};

const id = z.string().trim().min(1).max(200);

// Unknown fields are allowed (stripped): Signicat may add some without warning.
export const signicatCallbackSchema = z.object({
  dossierId: id,
  processId: id,
  // The full enum is unconfirmed (docs/providers/signicat.md): any non-empty string is kept.
  status: z.string().trim().min(1).max(100),
});
export type SignicatCallback = z.input<typeof signicatCallbackSchema>;

/**
 * One event per status. An unknown status is recorded without moving the transaction, so a
 * new Signicat value shows up in the history instead of being refused (Signicat would not resend).
 */
export function signicatEvent(
  providerStatus: string,
  source: ProviderEvent['source'],
  receivedAt: string,
  dossierId?: string,
): ProviderEvent {
  const normalized = providerStatus.toLowerCase();
  const known = Object.prototype.hasOwnProperty.call(SIGNICAT_STATUSES, normalized)
    ? SIGNICAT_STATUSES[normalized]
    : undefined;
  return {
    key: `status:${normalized}`,
    type: known?.type ?? 'statusReported',
    source,
    receivedAt,
    ...(known && { status: known.status }),
    providerStatus,
    ...(dossierId !== undefined && { details: { dossierId } }),
  };
}

/**
 * Whether the callback carries the configured value. Where it comes back is unconfirmed
 * (docs/providers/signicat.md), so the header name is configurable; a `Bearer ` prefix added on the way is
 * tolerated when the configured value has none. Both candidates are compared in constant time.
 */
export function authorizationMatches(received: string | undefined, expected: string): boolean {
  if (received === undefined) return false;
  const exact = secretsEqual(received, expected);
  const mayStrip = !/^bearer /i.test(expected) && /^bearer /i.test(received);
  const stripped = mayStrip && secretsEqual(received.slice('bearer '.length), expected);
  return exact || stripped;
}

export function createSignicat(
  settings: Pick<SignicatSettings, 'allowedIps' | 'callbackAuthorization' | 'callbackAuthorizationHeader'> &
    Partial<Pick<SignicatSettings, 'callbackAuthorizationPrevious'>>,
): Provider {
  const expected = settings.callbackAuthorization;
  const previous = settings.callbackAuthorizationPrevious;
  const headerName = settings.callbackAuthorizationHeader;
  return {
    name: 'signicat',
    callbackPaths: ['/'],
    allowedIps: settings.allowedIps,
    warnings:
      expected === undefined
        ? [
            'SIGNICAT_CALLBACK_AUTHORIZATION is not set: Signicat callbacks are unauthenticated and reach only registered transactions',
          ]
        : [],
    authenticate(req: RawCallback): SenderVerdict {
      if (expected === undefined) return UNVERIFIED;
      const given = req.headers[headerName];
      const match = matchSecret(expected, previous, (value) => authorizationMatches(given, value));
      if (match === undefined) {
        return { kind: 'refused', refusal: 'unauthorized', detail: `missing or wrong ${headerName} header` };
      }
      return match === 'previous' ? VERIFIED_BY_PREVIOUS : VERIFIED;
    },
    parseCallback(req: CallbackRequest): ParsedCallback {
      const parsed = signicatCallbackSchema.safeParse(req.json);
      if (!parsed.success)
        return { kind: 'refused', refusal: 'invalid-payload', detail: describeIssues(parsed.error.issues, req.json) };
      const { dossierId, processId, status } = parsed.data;
      return {
        kind: 'events',
        ref: { provider: 'signicat', kind: 'signing', externalId: processId },
        events: [signicatEvent(status, 'callback', req.receivedAt, dossierId)],
        dossierId,
      };
    },
    answer: standardAnswer,
  };
}
