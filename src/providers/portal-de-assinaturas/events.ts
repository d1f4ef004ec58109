// Portal de Assinaturas callback bodies (docs/providers/portal-de-assinaturas.md) and what each action means.
// Kept apart from the receiver so a future status poll can produce the very same events
// (same keys, so a fact seen by callback and by poll is applied once).
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { EventSource, EventType, ProviderEvent, TransactionStatus } from '../../common/types';

// Numbers in the provider's sample, strings in its model (docs/providers/portal-de-assinaturas.md): both name the same transaction.
const externalId = z
  .union([z.string().trim().min(1).max(200), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)])
  .transform(String);
const optionalText = (max: number) =>
  z
    .union([z.string().max(max), z.number()])
    .nullish()
    .transform((v) => (v === null || v === undefined ? undefined : String(v)));
// An action is a word like SIGNATURE-DIGITAL or STEP-2; anything else is not an action.
const action = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z][A-Za-z0-9 _-]*$/, 'expected an action name like SIGNATURE-DIGITAL');

/** Field names are lower-cased before parsing (the provider's model says documentId, its sample documentID). */
export const documentCallbackSchema = z.object({
  documentid: externalId,
  name: optionalText(500),
  identifier: optionalText(100),
  action,
  message: optionalText(5000),
  apidownload: optionalText(2000),
});
export type DocumentCallback = z.output<typeof documentCallbackSchema>;

/** Whether a JSON value nests no deeper than `max`, checked without recursion. */
function nestsWithin(value: unknown, max: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return false;
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
  return true;
}

export const registeredMailCallbackSchema = z.object({
  type: z.string().max(100).optional(),
  registeredmailid: externalId,
  recipient: optionalText(500),
  action,
  // Kept in workflow state as sent, so its depth is bounded: a signal payload is serialized
  // recursively, and a runaway one would fail every retry of the callback.
  info: z
    .union([
      z.record(z.string(), z.unknown()).refine((v) => nestsWithin(v, 16), 'nested too deeply'),
      z.string().max(5000),
    ])
    .nullish(),
});
export type RegisteredMailCallback = z.output<typeof registeredMailCallbackSchema>;

/** `signature digital`, `Signature_Digital` and `SIGNATURE-DIGITAL` are the same action. */
export const normalizeAction = (value: string) =>
  value
    .trim()
    .toUpperCase()
    .replace(/[\s_]+/g, '-');

const SIGNER_PROGRESS = new Set([
  'SIGNATURE-ELETRONIC',
  'SIGNATURE-ELECTRONIC',
  'SIGNATURE-DIGITAL',
  'SIGNATURE-SERVER',
  'AUTHORIZATION-OK',
  'APPROVAL-OK',
]);
const SIGNER_REFUSAL: Record<string, string> = {
  'SIGNATURE-NOK': 'signature rejected by signer',
  'AUTHORIZATION-NOK': 'document not authorized by authorizer',
  'APPROVAL-NOK': 'document not approved by approver',
};

interface Meaning {
  type: EventType;
  status?: TransactionStatus;
  /** True when the fact is about one signer, so two signers doing the same thing stay distinct. */
  perSigner: boolean;
  /** The key's action part, normalized so casing variants of one retry dedupe. */
  keyAction: string;
  step?: number;
  known: boolean;
}

/**
 * Document actions (docs/contract.md mapping). An action the provider's documentation does not list is kept as a
 * signer action that moves no status: the provider may add actions, and refusing one would
 * only make it retry for 24 hours and then drop it.
 */
export function documentActionMeaning(rawAction: string): Meaning {
  const a = normalizeAction(rawAction);
  if (SIGNER_PROGRESS.has(a))
    return { type: 'signerAction', status: 'in_progress', perSigner: true, keyAction: a, known: true };
  if (a in SIGNER_REFUSAL) return { type: 'rejected', status: 'rejected', perSigner: true, keyAction: a, known: true };
  const step = /^STEP-?(\d{1,6})$/.exec(a);
  if (step) {
    const n = Number(step[1]);
    return {
      type: 'stepCompleted',
      status: 'in_progress',
      perSigner: false,
      keyAction: `STEP-${n}`,
      step: n,
      known: true,
    };
  }
  if (a === 'FLOW') return { type: 'signed', status: 'signed', perSigner: false, keyAction: a, known: true };
  return { type: 'signerAction', perSigner: true, keyAction: a, known: false };
}

/**
 * A short keyed hash naming the signer inside event keys. Keys reach logs and late-callback
 * workflow ids, so they must not reveal the CPF; a CPF has only ~10^9 values, so a plain hash
 * could be reversed by trying them all, hence the HMAC under a configured secret.
 */
export function createSignerTag(pepper: string): (identifier?: string, name?: string) => string | undefined {
  return (identifier, name) => {
    const id = identifier?.trim();
    const who = id
      ? `id:${/^[\d.\-/\s]+$/.test(id) ? id.replace(/\D/g, '') : id.toLowerCase()}`
      : name?.trim()
        ? `name:${name.trim().toLowerCase().replace(/\s+/g, ' ')}`
        : undefined;
    return who === undefined ? undefined : createHmac('sha256', pepper).update(who).digest('hex').slice(0, 16);
  };
}

/**
 * A CPF as Brazilian public bodies publish it, `***.456.789-**`: enough for an operator to
 * match a signer with the application's records, not enough to identify anyone. Anything
 * else (a CNPJ, a passport number) is not kept.
 */
export function maskCpf(identifier?: string): string | undefined {
  const digits = identifier?.trim().replace(/[.\-\s]/g, '');
  if (!digits || !/^\d{11}$/.test(digits)) return undefined;
  return `***.${digits.slice(3, 6)}.${digits.slice(6, 9)}-**`;
}

export function documentEvent(
  cb: DocumentCallback,
  source: EventSource,
  receivedAt: string,
  signerTag: (identifier?: string, name?: string) => string | undefined,
): ProviderEvent {
  const meaning = documentActionMeaning(cb.action);
  const tag = meaning.perSigner ? signerTag(cb.identifier, cb.name) : undefined;
  const message = cb.message?.trim() ? cb.message : undefined;
  return {
    // Retries (every 30 min for 24 h) repeat the same key; two signers' signatures do not.
    key: tag ? `${meaning.keyAction}:${tag}` : meaning.keyAction,
    type: meaning.type,
    source,
    receivedAt,
    ...(meaning.status !== undefined && { status: meaning.status }),
    providerStatus: cb.action,
    ...(meaning.type === 'rejected' && { reason: message ?? SIGNER_REFUSAL[meaning.keyAction] }),
    // No name and no CPF: the keyed tag tells signers apart, the masked CPF lets an operator
    // match one with the application's records. The message is kept as the reason above.
    details: {
      ...(tag !== undefined && { signer: tag }),
      ...(maskCpf(cb.identifier) !== undefined && { cpfMasked: maskCpf(cb.identifier) }),
      ...(cb.apidownload !== undefined && { apiDownload: cb.apidownload }),
      ...(meaning.step !== undefined && { step: meaning.step }),
      ...(!meaning.known && { unknownAction: true }),
    },
  };
}

const MAIL_ACTIONS: Record<string, { type: EventType; status: TransactionStatus }> = {
  DELIVERED: { type: 'delivered', status: 'delivered' },
  'NOT-DELIVERED': { type: 'notDelivered', status: 'not_delivered' },
  OPENED: { type: 'opened', status: 'opened' },
};

/** Registered-mail actions; an unlisted one is kept without moving the status, as for documents. */
export function registeredMailEvent(
  cb: RegisteredMailCallback,
  source: EventSource,
  receivedAt: string,
): ProviderEvent {
  let a = normalizeAction(cb.action);
  if (a === 'NOTDELIVERED') a = 'NOT-DELIVERED';
  const meaning: (typeof MAIL_ACTIONS)[string] | undefined = MAIL_ACTIONS[a];
  const info = cb.info ?? undefined;
  const infoMessage = typeof info === 'string' ? info : typeof info?.message === 'string' ? info.message : undefined;
  const infoCode =
    typeof info === 'object' && (typeof info.code === 'number' || typeof info.code === 'string')
      ? info.code
      : undefined;
  return {
    // One certificate per action for a registered mail: retries repeat the key.
    key: a,
    type: meaning?.type ?? 'statusReported',
    source,
    receivedAt,
    ...(meaning && { status: meaning.status }),
    providerStatus: cb.action,
    ...(a === 'NOT-DELIVERED' && infoMessage?.trim() ? { reason: infoMessage } : {}),
    // Not the recipient's address (the application knows whom it wrote to), and of `info`
    // only its message and code: the rest of it is free-form and may repeat the address.
    details: {
      ...(infoMessage !== undefined && { infoMessage }),
      ...(infoCode !== undefined && { infoCode }),
      ...(meaning ? {} : { unknownAction: true }),
    },
  };
}
