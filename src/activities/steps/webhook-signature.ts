// Standard Webhooks signing (https://www.standardwebhooks.com): the receiver verifies
// `webhook-signature` = `v1,` + base64 HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`.
import { createHash, createHmac } from 'node:crypto';

/** `whsec_<base64>` as Standard Webhooks libraries issue it (decoded), or any other string as raw bytes. */
export function webhookKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
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
