// Standard Webhooks signing (https://www.standardwebhooks.com): the receiver verifies
// `webhook-signature` = `v1,` + base64 HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`.
import { createHash, createHmac } from 'node:crypto';

const PREFIX = 'whsec_';
/**
 * Standard base64 with its `=` padding. The official libraries all base64-decode the secret but
 * disagree at the edges (the JavaScript and Python ones accept missing padding, the Go one
 * refuses it; the JavaScript one silently drops a stray last character the others refuse), so
 * only the form every one of them reads the same way is accepted.
 */
const PADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const WEBHOOK_SECRET_FORMAT =
  'expected standard base64 with its = padding, optionally after whsec_ (as Standard Webhooks libraries read it)';

/** The message never holds the secret: it ends up in logs and step records. */
export class InvalidWebhookSecretError extends Error {
  override name = 'InvalidWebhookSecretError';
  constructor() {
    super(`the notification secret is not usable: ${WEBHOOK_SECRET_FORMAT}`);
  }
}

/** Why the secret cannot be used, or undefined when it can. */
export function webhookSecretProblem(secret: string): string | undefined {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (encoded === '') return 'the secret is empty';
  return PADDED_BASE64.test(encoded) ? undefined : WEBHOOK_SECRET_FORMAT;
}

/**
 * The HMAC key, as the official libraries derive it: an optional `whsec_` prefix stripped, the
 * rest base64-decoded. Throws InvalidWebhookSecretError for a secret they would not all accept.
 */
export function webhookKey(secret: string): Buffer {
  if (webhookSecretProblem(secret) !== undefined) throw new InvalidWebhookSecretError();
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
}

export function webhookSignature(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
}

/**
 * One id per transaction and status: every retry of a notification, and a second run of the same
 * step, carries the same id, so the receiver can drop what it has already processed.
 */
export function webhookId(workflowId: string, status: string): string {
  return `msg_${createHash('sha256').update(`${workflowId}\n${status}`, 'utf8').digest('base64url').slice(0, 32)}`;
}
