// The building blocks of every provider's variables (each provider's config.ts declares its
// own; docs/contract.md "Provider credentials"). Base URLs default to the provider's production
// API; point them at a simulator or sandbox by env.
import { z } from 'zod';
import { AllowlistEntryError, parseAllowlistEntry } from './kit/address-allowlist';
import { DURATION_HINT, DURATION_PATTERN } from '../common/duration';
import type { ProviderCommon } from './module';
import { accountList } from './accounts';

export const secret = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
export const url = (fallback: string) => z.url().default(fallback);
/**
 * Comma-separated addresses and CIDRs, each checked now: a typo must stop startup, not widen
 * or silently empty the list. `keywords` are names the provider module expands itself.
 */
export const addressList = (keywords: readonly string[] = []) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const entries = v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [];
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
export const ipList = addressList();
/** `<PROVIDER>_ALLOW_UNAUTHENTICATED`: production starts without a way to authenticate callbacks. */
export const allowUnauthenticated = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .default('false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
/** Requests per second to one provider's API, from one worker process and per task queue. */
export const rate = (fallback: number) => z.coerce.number().positive().max(1000).default(fallback);
export const optionalDuration = z.string().regex(DURATION_PATTERN, DURATION_HINT).optional();

/** The variables every provider has, named `<PREFIX>_…`. */
type BaseVariable<P extends string> =
  | `${P}_API_URL`
  | `${P}_ALLOWED_IPS`
  | `${P}_ALLOW_UNAUTHENTICATED`
  | `${P}_API_RATE_LIMIT`
  | `${P}_FOLLOW_UP_FIRST_AFTER`
  | `${P}_FOLLOW_UP_MAX_INTERVAL`
  | `${P}_ACCOUNTS`;

/**
 * A provider's API base URL, sender allowlist, explicit opt-out of authentication, API rate
 * and follow-up schedule: the part of its variables every provider shares.
 */
export function baseProviderEnv<P extends string>(
  prefix: P,
  defaults: { apiUrl: string; rateLimit: number; allowedIps?: ReturnType<typeof addressList> },
): Record<BaseVariable<P>, z.ZodType> {
  const shape: Record<string, z.ZodType> = {
    [`${prefix}_API_URL`]: url(defaults.apiUrl),
    [`${prefix}_ALLOWED_IPS`]: defaults.allowedIps ?? ipList,
    [`${prefix}_ALLOW_UNAUTHENTICATED`]: allowUnauthenticated,
    [`${prefix}_API_RATE_LIMIT`]: rate(defaults.rateLimit),
    [`${prefix}_FOLLOW_UP_FIRST_AFTER`]: optionalDuration,
    [`${prefix}_FOLLOW_UP_MAX_INTERVAL`]: optionalDuration,
    /** More accounts besides the default one (docs/accounts.md). */
    [`${prefix}_ACCOUNTS`]: accountList,
  };
  return shape;
}

/** The settings built from those shared variables, with the engine-wide API call settings. */
export function baseProviderSettings(prefix: string, e: Record<string, unknown>, common: ProviderCommon) {
  return {
    ...common,
    apiUrl: e[`${prefix}_API_URL`] as string,
    rateLimit: e[`${prefix}_API_RATE_LIMIT`] as number,
    allowedIps: e[`${prefix}_ALLOWED_IPS`] as string[],
  };
}
