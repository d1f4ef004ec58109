// Provider credentials and endpoints (docs/contract.md "Provider credentials"). Base URLs default
// to each provider's production API; point them at a simulator or sandbox by env.
import { z } from 'zod';
import { AllowlistEntryError, parseAllowlistEntry } from '../receivers/address-allowlist';

const secret = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
const url = (fallback: string) => z.url().default(fallback);
/**
 * Comma-separated addresses and CIDRs, each checked now: a typo must stop startup, not widen
 * or silently empty the list. `keywords` are names the provider module expands itself.
 */
export const addressList = (keywords: readonly string[] = []) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const entries = v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];
      for (const entry of entries) {
        if (keywords.includes(entry.toLowerCase())) continue;
        try {
          parseAllowlistEntry(entry);
        } catch (err) {
          if (!(err instanceof AllowlistEntryError)) throw err;
          ctx.addIssue({ code: 'custom', message: err.message });
        }
      }
      return entries;
    });
const ipList = addressList();
/** `<PROVIDER>_ALLOW_UNAUTHENTICATED`: production starts without a way to authenticate callbacks. */
const allowUnauthenticated = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .default('false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
/** Requests per second to one provider's API, from one worker process and per task queue. */
const rate = (fallback: number) => z.coerce.number().positive().max(1000).default(fallback);
const durationPattern = /^\d+(\.\d+)?\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)$/i;
const optionalDuration = z.string().regex(durationPattern, 'expected a duration like 30s, 6h or 90 days').optional();

export const PROVIDER_ENV = z.object({
  EVROTRUST_API_URL: url('https://v.evrotrust.com/vendor'),
  EVROTRUST_API_KEY: secret,
  EVROTRUST_VENDOR_NUMBER: secret,
  EVROTRUST_ALLOWED_IPS: ipList,
  EVROTRUST_ALLOW_UNAUTHENTICATED: allowUnauthenticated,
  EVROTRUST_API_RATE_LIMIT: rate(10),
  EVROTRUST_FOLLOW_UP_FIRST_AFTER: optionalDuration,
  EVROTRUST_FOLLOW_UP_MAX_INTERVAL: optionalDuration,

  SIGNHOST_API_URL: url('https://api.signhost.com/api'),
  SIGNHOST_SHARED_SECRET: secret,
  SIGNHOST_POSTBACK_AUTHORIZATION: secret,
  SIGNHOST_APP_KEY: secret,
  SIGNHOST_API_KEY: secret,
  SIGNHOST_ALLOWED_IPS: ipList,
  SIGNHOST_ALLOW_UNAUTHENTICATED: allowUnauthenticated,
  /**
   * Signer activities one postback may carry; beyond it the status still counts and the oldest
   * activities are dropped (the checksum covers only Id and Status, so the rest is unproven).
   */
  SIGNHOST_MAX_ACTIVITIES_PER_POSTBACK: z.coerce.number().int().min(1).max(10_000).default(200),
  // Signhost asks integrators not to poll actively: keep its share small.
  SIGNHOST_API_RATE_LIMIT: rate(2),
  SIGNHOST_FOLLOW_UP_FIRST_AFTER: optionalDuration,
  SIGNHOST_FOLLOW_UP_MAX_INTERVAL: optionalDuration,

  SIGNICAT_API_URL: url('https://api.signicat.com'),
  SIGNICAT_CALLBACK_AUTHORIZATION: secret,
  // Which header carries `authorizationHeader` back is unconfirmed (docs/providers.md).
  SIGNICAT_CALLBACK_AUTHORIZATION_HEADER: z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name')
    .default('authorization')
    .transform((v) => v.toLowerCase()),
  SIGNICAT_CLIENT_ID: secret,
  SIGNICAT_CLIENT_SECRET: secret,
  SIGNICAT_ALLOWED_IPS: ipList,
  SIGNICAT_ALLOW_UNAUTHENTICATED: allowUnauthenticated,
  /** OAuth2 token endpoint; default `{SIGNICAT_API_URL}/auth/open/connect/token`. */
  SIGNICAT_TOKEN_URL: z.url().optional(),
  SIGNICAT_SCOPE: z.string().min(1).default('signicat-api'),
  // UNCONFIRMED path (docs/providers.md): no public source names it. `{dossierId}` and
  // `{processId}` are filled in; on 404/405/501 the follow-up falls back to Get process.
  SIGNICAT_NOTIFY_PATH: z.string().startsWith('/').default('/assure/dossiers/{dossierId}/processes/{processId}/notify'),
  SIGNICAT_API_RATE_LIMIT: rate(10),
  SIGNICAT_FOLLOW_UP_FIRST_AFTER: optionalDuration,
  SIGNICAT_FOLLOW_UP_MAX_INTERVAL: optionalDuration,

  PORTAL_DE_ASSINATURAS_API_URL: url('https://api.portaldeassinaturas.com.br/api/v2'),
  PORTAL_DE_ASSINATURAS_TOKEN: secret,
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+:\s*\S.*$/, 'expected "Name: value"')
    .optional(),
  // `production` and `sandbox` stand for the provider's published sender ranges.
  PORTAL_DE_ASSINATURAS_ALLOWED_IPS: addressList(['production', 'sandbox']),
  PORTAL_DE_ASSINATURAS_ALLOW_UNAUTHENTICATED: allowUnauthenticated,
  // UNCONFIRMED path (docs/providers.md): no public source names a details/status endpoint.
  // `{documentId}` is filled in. Check the provider's Swagger and set the real one.
  PORTAL_DE_ASSINATURAS_STATUS_PATH: z.string().startsWith('/').default('/document/details?key={documentId}'),
  PORTAL_DE_ASSINATURAS_API_RATE_LIMIT: rate(5),
  PORTAL_DE_ASSINATURAS_FOLLOW_UP_FIRST_AFTER: optionalDuration,
  PORTAL_DE_ASSINATURAS_FOLLOW_UP_MAX_INTERVAL: optionalDuration,

  /** Per attempt of a provider API call. */
  PROVIDER_API_TIMEOUT: z.string().regex(durationPattern, 'expected a duration like 10s').default('10s'),
  /** Attempts of one provider API call inside one activity attempt. */
  PROVIDER_API_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /**
   * Run follow-ups on one task queue per provider (`{TEMPORAL_TASK_QUEUE}-follow-up-{provider}`)
   * whose worker is rate-limited by the server to `<PROVIDER>_API_RATE_LIMIT`.
   */
  FOLLOW_UP_TASK_QUEUES: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default('true')
    .transform((v) => v === 'true' || v === '1' || v === 'yes'),
});
