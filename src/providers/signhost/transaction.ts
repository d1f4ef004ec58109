// Signhost's Transaction object (docs/providers/signhost.md) and how it becomes events. Postbacks and
// the status API both carry this object, so the mapping lives here and not in the receiver.
import { z } from 'zod';
import type { EventSource, EventType, ProviderEvent, TransactionStatus } from '../../common/types';

/** Transaction `Status` → normalized status, event type and Signhost's own label. */
export const SIGNHOST_STATUSES: Record<number, { status: TransactionStatus; type: EventType; label: string }> = {
  5: { status: 'pending', type: 'statusReported', label: 'waiting for document' },
  10: { status: 'pending', type: 'statusReported', label: 'waiting for signer' },
  20: { status: 'in_progress', type: 'statusReported', label: 'in progress' },
  30: { status: 'signed', type: 'signed', label: 'signed' },
  40: { status: 'rejected', type: 'rejected', label: 'rejected' },
  50: { status: 'expired', type: 'expired', label: 'expired' },
  60: { status: 'cancelled', type: 'cancelled', label: 'cancelled' },
  70: { status: 'failed', type: 'failed', label: 'failed' },
};

/**
 * Signer activity `Code` → label. 102 and 201 appear only in older versions of the official
 * client, 999 (e.g. e-mail bounce) only in the client, not in the docs' table.
 */
export const SIGNHOST_ACTIVITIES: Record<number, string> = {
  101: 'invitation sent',
  102: 'invitation received',
  103: 'opened',
  104: 'reminder sent',
  105: 'document opened',
  201: 'cancelled',
  202: 'rejected',
  203: 'signed',
  204: 'signer delegated',
  301: 'signed document sent',
  302: 'signed document opened',
  303: 'signed document downloaded',
  401: 'receipt sent',
  402: 'receipt opened',
  403: 'receipt downloaded',
  999: 'failed',
};

const DOCUMENT_OPENED = 105;
const SIGNER_REJECTED = 202;
const REASON_MAX = 2000;

// Every refusal is answered 200 and never retried, so a strict schema would silently lose
// news: only the fields the mapping reads are checked, unknown fields and nulls pass.
const text = (max: number) => z.string().max(max).nullish();
const reason = z
  .string()
  .nullish()
  .transform((v) => (v ? v.slice(0, REASON_MAX) : undefined));

const activitySchema = z.object({
  Id: z.string().min(1).max(200),
  Code: z.number().int(),
  Activity: text(200),
  Info: text(1000),
  CreatedDateTime: text(100),
});

const signerSchema = z.object({
  Id: z.string().min(1).max(200),
  RejectReason: reason,
  Activities: z.array(activitySchema).nullish(),
});

// `Files` is keyed by the file ids the application chose; only the keys are kept (the values
// hold links and display names), so the signed files can be downloaded later. A malformed
// `Files` must not refuse the postback, so it degrades to "no file ids".
const fileIds = z
  .record(z.string(), z.unknown())
  .nullish()
  .catch(undefined)
  .transform((files) =>
    files
      ? Object.keys(files)
          .filter((k) => k.length > 0 && k.length <= 200)
          .slice(0, 50)
      : undefined,
  );

export const signhostTransactionSchema = z.object({
  Id: z.string().min(1).max(200),
  Status: z.number().int().nonnegative(),
  Signers: z.array(signerSchema).nullish(),
  CancellationReason: reason,
  Files: fileIds,
});
export type SignhostTransaction = z.infer<typeof signhostTransactionSchema>;

// What must hold for the status to count; each signer and activity is then checked on its own.
const transactionCore = signhostTransactionSchema.extend({ Signers: z.unknown().optional() });
// A signer whose activities are then checked one by one. Built once: a zod schema costs far
// more to build (and compile) than to run, and every postback has signers.
const signerCore = signerSchema.extend({ Activities: z.array(z.unknown()).nullish().catch(undefined) });

export interface ParsedSignhostTransaction {
  tx: SignhostTransaction;
  /** What was left out, for the log (counts and field paths only, never values). */
  notes: string[];
}

/**
 * The transaction with every malformed signer or activity entry skipped instead of the whole
 * body refused: the status is what matters and Signhost never resends a refused postback.
 * At most `maxActivities` activities are kept, the newest (each signer's list is oldest first
 * and every postback repeats the whole history, so the older ones were recorded before).
 */
export function parseSignhostTransaction(
  json: unknown,
  maxActivities = Number.POSITIVE_INFINITY,
): { ok: true; value: ParsedSignhostTransaction } | { ok: false; issues: z.core.$ZodIssue[] } {
  const core = transactionCore.safeParse(json);
  if (!core.success) return { ok: false, issues: core.error.issues };
  const notes: string[] = [];
  let skippedSigners = 0;
  let skippedActivities = 0;
  const signers: NonNullable<SignhostTransaction['Signers']> = [];
  const rawSigners = core.data.Signers;
  if (rawSigners !== undefined && rawSigners !== null && !Array.isArray(rawSigners))
    notes.push('Signers is not a list: skipped');
  for (const raw of Array.isArray(rawSigners) ? rawSigners : []) {
    const signer = signerCore.safeParse(raw);
    if (!signer.success) {
      skippedSigners++;
      continue;
    }
    const activities: z.infer<typeof activitySchema>[] = [];
    for (const a of signer.data.Activities ?? []) {
      const activity = activitySchema.safeParse(a);
      if (activity.success) activities.push(activity.data);
      else skippedActivities++;
    }
    signers.push({ ...signer.data, Activities: activities });
  }
  if (skippedSigners > 0)
    notes.push(`${skippedSigners} malformed signer entr${skippedSigners === 1 ? 'y' : 'ies'} skipped`);
  if (skippedActivities > 0)
    notes.push(`${skippedActivities} malformed activit${skippedActivities === 1 ? 'y' : 'ies'} skipped`);

  const total = signers.reduce((n, s) => n + (s.Activities?.length ?? 0), 0);
  if (total > maxActivities) {
    // Drop the oldest across signers: walk each list from its start until the excess is gone.
    let excess = total - maxActivities;
    for (const s of signers) {
      const list = s.Activities ?? [];
      const cut = Math.min(excess, list.length);
      s.Activities = list.slice(cut);
      excess -= cut;
    }
    notes.push(`${total - maxActivities} of ${total} activities dropped (limit ${maxActivities} per postback)`);
  }
  return { ok: true, value: { tx: { ...core.data, Signers: signers }, notes } };
}

/**
 * One event per transaction status (keyed by it: the workflow is the transaction, so Id +
 * Status dedupes) and one per signer activity (keyed by the activity's own Id). Every postback
 * repeats each signer's whole history; the workflow applies each key once.
 */
export function signhostEvents(tx: SignhostTransaction, source: EventSource, receivedAt: string): ProviderEvent[] {
  const signers = tx.Signers ?? [];
  const activities = signers.flatMap((signer) =>
    (signer.Activities ?? []).map((a): ProviderEvent => ({
      key: `activity:${a.Id}`,
      // 203/202 are one signer's facts; only the transaction Status moves the transaction.
      type: 'signerAction',
      source,
      receivedAt,
      providerStatus: String(a.Code),
      ...(a.Code === SIGNER_REJECTED && signer.RejectReason && { reason: signer.RejectReason }),
      // The signer's Id only: e-mail, name and phone are personal data and stay out of state.
      details: {
        code: a.Code,
        activity: a.Activity ?? SIGNHOST_ACTIVITIES[a.Code] ?? 'unknown',
        signerId: signer.Id,
        // Info is the file id only for 105; other codes may carry addresses (delegation).
        ...(a.Code === DOCUMENT_OPENED && a.Info && { fileId: a.Info }),
        ...(a.CreatedDateTime && { createdDateTime: a.CreatedDateTime }),
      },
    })),
  );
  return [...activities, statusEvent(tx, source, receivedAt)];
}

function statusEvent(tx: SignhostTransaction, source: EventSource, receivedAt: string): ProviderEvent {
  const entry = SIGNHOST_STATUSES[tx.Status];
  const rejecter = tx.Status === 40 ? (tx.Signers ?? []).find((s) => s.RejectReason) : undefined;
  const why = tx.Status === 40 ? rejecter?.RejectReason : tx.Status === 60 ? tx.CancellationReason : undefined;
  return {
    key: `status:${tx.Status}`,
    // A status Signhost adds later is kept on record without moving the transaction.
    type: entry?.type ?? 'statusReported',
    source,
    receivedAt,
    ...(entry && { status: entry.status }),
    providerStatus: String(tx.Status),
    ...(why && { reason: why }),
    details: {
      label: entry?.label ?? 'unknown status',
      ...(rejecter && { signerId: rejecter.Id }),
      // What `downloadSignedDocument` fetches once the transaction is signed.
      ...(tx.Files?.length && { fileIds: tx.Files }),
    },
  };
}
