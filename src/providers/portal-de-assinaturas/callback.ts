// Portal de Assinaturas (Certisign; docs/providers/portal-de-assinaturas.md). One callback URL receives both
// document callbacks and registered-mail callbacks, told apart by `type`. The only credential
// is the header the operator configured on the callback (`headers` in its configuration).
import type { PortalSettings } from './config';
import { secretsEqual } from '../kit/secrets-equal';
import type { TransactionRef } from '../../common/types';
import {
  describeIssues,
  standardAnswer,
  UNVERIFIED,
  VERIFIED,
  VERIFIED_BY_PREVIOUS,
  type CallbackRequest,
  type IssueLike,
  type ParsedCallback,
  type Provider,
  type RawCallback,
  type SenderVerdict,
} from '../provider';
import {
  createSignerTag,
  documentCallbackSchema,
  documentEvent,
  registeredMailCallbackSchema,
  registeredMailEvent,
} from './events';

/** The firewall ranges Portal de Assinaturas publishes (docs/providers/portal-de-assinaturas.md; its production row's stray empty entry dropped). */
export const PORTAL_SENDER_IPS: Record<'sandbox' | 'production', string[]> = {
  sandbox: ['104.41.9.254', '104.41.13.4', '104.41.15.87', '104.41.14.246'],
  production: ['191.235.80.91', '191.235.86.218', '191.235.81.80', '191.235.85.39'],
};

/** `PORTAL_DE_ASSINATURAS_ALLOWED_IPS=production` (or `sandbox`) stands for its published list. */
export function expandAllowedIps(entries: string[]): string[] {
  return entries.flatMap((e) => {
    const k = e.toLowerCase();
    return k === 'sandbox' || k === 'production' ? PORTAL_SENDER_IPS[k] : [e];
  });
}

export interface CallbackHeader {
  /** Lower-cased, as the receiver hands headers over. */
  name: string;
  value: string;
}

/** `Name: value` as configured; config.ts has already checked the shape. */
export function parseCallbackHeader(setting: string | undefined): CallbackHeader | undefined {
  if (setting === undefined) return undefined;
  const colon = setting.indexOf(':');
  return { name: setting.slice(0, colon).trim().toLowerCase(), value: setting.slice(colon + 1).trim() };
}

/**
 * The provider's own document sample (docs/providers/portal-de-assinaturas.md) lacks the comma between `"message": ""` and `"apiDownload"`.
 * Only that one documented defect is repaired; any other broken body stays a 400.
 */
export function repairDocumentedSample(text: string): unknown {
  const fixed = text.replace(/("message"\s*:\s*"(?:[^"\\]|\\.)*")(\s*"apiDownload"\s*:)/, '$1,$2');
  if (fixed === text) return undefined;
  try {
    return JSON.parse(fixed);
  } catch {
    return undefined;
  }
}

const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number';
// 123456 and "123456" are one id, as everywhere else in this module. Anything else counts as
// a disagreement: comparing nested values would recurse as deep as the sender nests them.
const sameValue = (a: unknown, b: unknown) => (scalar(a) && scalar(b) ? String(a) === String(b) : a === b);

/**
 * Top-level field names lower-cased; undefined when two spellings of one field disagree.
 * The copy has no prototype, so `__proto__`, `constructor` and the like stay plain unread
 * fields instead of colliding with (or replacing) Object.prototype's.
 */
function lowerKeys(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(body)) {
    const lk = k.toLowerCase();
    if (Object.hasOwn(out, lk) && !sameValue(out[lk], v)) return undefined;
    out[lk] = v;
  }
  return out;
}

const isRegisteredMail = (body: Record<string, unknown>) =>
  typeof body.type === 'string'
    ? body.type.toUpperCase().replace(/[^A-Z]/g, '') === 'REGISTEREDMAIL'
    : body.type === undefined && body.registeredmailid !== undefined && body.documentid === undefined;

export function createPortalDeAssinaturas(
  settings: Pick<PortalSettings, 'allowedIps' | 'callbackHeader' | 'token'> &
    Partial<Pick<PortalSettings, 'callbackHeaderPrevious'>>,
): Provider {
  const header = parseCallbackHeader(settings.callbackHeader);
  const previous = parseCallbackHeader(settings.callbackHeaderPrevious);
  // Keyed by a secret when there is one, so event keys cannot be turned back into CPFs.
  const signerTag = createSignerTag(header?.value ?? settings.token ?? 'countersign:portal-de-assinaturas');

  return {
    name: 'portal-de-assinaturas',
    callbackPaths: ['/'],
    allowedIps: expandAllowedIps(settings.allowedIps),
    repairJson: repairDocumentedSample,
    authenticate(req: RawCallback): SenderVerdict {
      if (!header) return UNVERIFIED;
      const carries = (h: CallbackHeader) => secretsEqual((req.headers[h.name] ?? '').trim(), h.value);
      const byCurrent = carries(header);
      const byPrevious = previous !== undefined && carries(previous);
      if (!byCurrent && !byPrevious) {
        return { kind: 'refused', refusal: 'unauthorized', detail: `missing or wrong ${header.name} header` };
      }
      return byCurrent ? VERIFIED : VERIFIED_BY_PREVIOUS;
    },
    parseCallback(req: CallbackRequest): ParsedCallback {
      if (typeof req.json !== 'object' || req.json === null || Array.isArray(req.json)) {
        return { kind: 'refused', refusal: 'invalid-payload', detail: '(body): expected a JSON object' };
      }
      const body = lowerKeys(req.json as Record<string, unknown>);
      if (!body)
        return {
          kind: 'refused',
          refusal: 'invalid-payload',
          detail: 'two spellings of one field with different values',
        };

      if (isRegisteredMail(body)) {
        const parsed = registeredMailCallbackSchema.safeParse(body);
        if (!parsed.success)
          return {
            kind: 'refused',
            refusal: 'invalid-payload',
            detail: describePortalIssues(parsed.error.issues, body),
          };
        const ref: TransactionRef = {
          provider: 'portal-de-assinaturas',
          kind: 'registered-mail',
          externalId: parsed.data.registeredmailid,
        };
        return { kind: 'events', ref, events: [registeredMailEvent(parsed.data, 'callback', req.receivedAt)] };
      }
      const parsed = documentCallbackSchema.safeParse(body);
      if (!parsed.success)
        return { kind: 'refused', refusal: 'invalid-payload', detail: describePortalIssues(parsed.error.issues, body) };
      const ref: TransactionRef = {
        provider: 'portal-de-assinaturas',
        kind: 'signing',
        externalId: parsed.data.documentid,
      };
      return { kind: 'events', ref, events: [documentEvent(parsed.data, 'callback', req.receivedAt, signerTag)] };
    },
    answer: standardAnswer,
  };
}

// Field names are matched lower-cased; a refusal names them as the provider's documentation spells them.
const DOCUMENTED_NAMES: Record<string, string> = {
  documentid: 'documentId',
  registeredmailid: 'registeredMailId',
  apidownload: 'apiDownload',
};

function describePortalIssues(issues: ReadonlyArray<IssueLike>, body: Record<string, unknown>): string {
  const named = issues.map((issue) => ({
    ...issue,
    path: issue.path.map((p) => (typeof p === 'string' ? (DOCUMENTED_NAMES[p] ?? p) : p)),
  }));
  const namedBody = Object.fromEntries(Object.entries(body).map(([k, v]) => [DOCUMENTED_NAMES[k] ?? k, v]));
  return describeIssues(named, namedBody);
}
