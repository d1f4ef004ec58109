// The shapes variables share: ports, flags, durations, optional values, lists.
import { z } from 'zod';
import { DURATION_HINT, DURATION_PATTERN } from '../common/duration';

export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
/** Durations in the ms package's format, the one Temporal uses: `30s`, `6 hours`, `90 days`. */
export const duration = (fallback: string) => z.string().regex(DURATION_PATTERN, DURATION_HINT).default(fallback);
export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** Unset or empty: leave the choice to the library. */
export const optionalInt = (min: number) =>
  z
    .union([z.literal(''), z.coerce.number().int().min(min).max(1_000_000)])
    .optional()
    .transform((v) => (v === '' ? undefined : v));

export const splitList = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
