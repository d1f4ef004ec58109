// Built-in post-signing step `notifyApplication`: POSTs the transaction's outcome to the
// application's own URL, signed Standard-Webhooks style so the application can check it came
// from Countersign and was not replayed. The body holds no personal data.
import { log } from '@temporalio/activity';
import type { StepInput } from '../../common/types';
import { STEP_FAILURE, httpFailure, nonRetryable, requestSignal } from '../../providers/kit/download/failures';
import { traceContextHeaders } from '../../tracing/propagation';
import { InvalidWebhookSecretError, webhookId, webhookKey, webhookSignature } from '../../platform/webhook-signature';

export interface NotifyDeps {
  /** COUNTERSIGN_NOTIFY_URL */
  url?: string;
  /** COUNTERSIGN_NOTIFY_SECRET: base64, optionally after `whsec_`. */
  secret?: string;
  /** COUNTERSIGN_NOTIFY_SECRET_PREVIOUS: during a rotation, each notification carries its signature too. */
  previousSecret?: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Unix seconds; tests and replays may pin it. */
  nowSeconds?: () => number;
}

export interface NotificationBody {
  workflowId: string;
  provider: string;
  kind: string;
  externalId: string;
  status: string;
  providerStatus: string | null;
  reference: string | null;
  updatedAt: string;
}

export interface NotifyResult {
  webhookId: string;
  status: number;
}

export function notificationBody(tx: StepInput['transaction']): NotificationBody {
  return {
    workflowId: tx.workflowId,
    provider: tx.provider,
    kind: tx.kind,
    externalId: tx.externalId,
    status: tx.status,
    providerStatus: tx.providerStatus ?? null,
    reference: tx.reference ?? null,
    updatedAt: tx.updatedAt,
  };
}

export function createNotifyApplication(deps: NotifyDeps) {
  const nowSeconds = deps.nowSeconds ?? (() => Math.floor(Date.now() / 1000));

  return async function notifyApplication(input: StepInput): Promise<NotifyResult> {
    if (!deps.url) throw nonRetryable(STEP_FAILURE.notConfigured, 'COUNTERSIGN_NOTIFY_URL is not set');
    if (!deps.secret)
      throw nonRetryable(
        STEP_FAILURE.notConfigured,
        'COUNTERSIGN_NOTIFY_SECRET is not set: notifications are always signed',
      );
    const keys = [signingKey(deps.secret, 'COUNTERSIGN_NOTIFY_SECRET')];
    if (deps.previousSecret) keys.push(signingKey(deps.previousSecret, 'COUNTERSIGN_NOTIFY_SECRET_PREVIOUS'));
    const tx = input.transaction;
    const body = JSON.stringify(notificationBody(tx));
    const id = webhookId(tx.workflowId, tx.status);
    // A fresh timestamp on each attempt: receivers reject old ones to stop replays.
    const timestamp = nowSeconds();
    const res = await fetch(deps.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'countersign',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        // Space-separated, as the Standard Webhooks spec allows: an application verifying with
        // either secret accepts it, so it can switch secrets on its own schedule.
        'webhook-signature': keys.map((key) => webhookSignature(key, id, timestamp, body)).join(' '),
        // The application's own spans join the callback's trace (docs/tracing.md).
        ...traceContextHeaders(),
      },
      body,
      // A redirect is the receiver's misconfiguration; following it would resend the body elsewhere.
      redirect: 'manual',
      signal: requestSignal(deps.timeoutMs ?? 10_000),
    });
    await res.body?.cancel();
    // The URL is not logged: it may carry the application's own token.
    if (!res.ok) throw httpFailure(res.status, 'the application (COUNTERSIGN_NOTIFY_URL)');
    log.info('application notified', { workflowId: tx.workflowId, status: tx.status, webhookId: id });
    return { webhookId: id, status: res.status };
  };
}

/** Configuration checks the secret at startup; this covers deps built some other way. */
function signingKey(secret: string, variable: string): Buffer {
  try {
    return webhookKey(secret);
  } catch (err) {
    if (err instanceof InvalidWebhookSecretError)
      throw nonRetryable(STEP_FAILURE.notConfigured, `${variable}: ${err.message}`);
    throw err;
  }
}
