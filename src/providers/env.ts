// The building blocks of every provider's variables (each provider's config.ts declares its
// own; docs/contract.md "Provider credentials"). Base URLs default to the provider's production
// API; point them at a simulator or sandbox by env.
import { z } from 'zod';
import { AllowlistEntryError, parseAllowlistEntry } from '../receivers/address-allowlist';
import { DURATION_HINT, DURATION_PATTERN } from '../shared/duration';

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
