// What a transaction's callbacks may cost Temporal, enforced at the receivers.
import { z } from 'zod';
import { durationMs } from '../common/duration';
import { duration } from './primitives';

export const floodControlEnv = {
  /** Per-transaction flood control at the receivers (docs/reliability.md "Flood control"). */
  CALLBACK_DEDUPE_ENTRIES: z.coerce.number().int().min(0).max(10_000_000).default(100_000),
  CALLBACK_DEDUPE_TTL: duration('10 minutes'),
  CALLBACK_RATE_PER_TRANSACTION: z.coerce.number().min(0).max(10_000).default(5),
  CALLBACK_BURST_PER_TRANSACTION: z.coerce.number().int().min(1).max(100_000).default(20),
  CALLBACK_RATE_MAX_WAIT: duration('2s').refine(
    (v) => durationMs(v) <= 5000,
    "at most 5s: the answer must beat the providers' timeouts",
  ),
  CALLBACK_RATE_TRACKED_TRANSACTIONS: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
};
