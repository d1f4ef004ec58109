// The engine's defaults for every transaction: lifetimes, held finals, follow-ups, run sizes.
import { z } from 'zod';
import { CONTINUE_AS_NEW } from '../common/bounds';
import { DEFAULT_OPTIONS as D } from '../common/engine-defaults';
import { DURATION_HINT, DURATION_PATTERN } from '../common/duration';
import { duration } from './primitives';

export const engineEnv = {
  UNREGISTERED_TTL: duration(D.unregisteredTtl),
  LINGER_AFTER_FINAL: duration(D.lingerAfterFinal),
  // Comma-separated durations between checks of a held final status; the last one repeats.
  HELD_FINAL_CHECKS: z
    .string()
    .default(D.heldFinal.checks.join(','))
    .transform((v) => v.split(',').map((d) => d.trim()))
    .pipe(z.array(z.string().regex(DURATION_PATTERN, DURATION_HINT)).min(1)),
  HELD_FINAL_GRACE: duration(D.heldFinal.grace),
  DEFAULT_DEADLINE: duration(D.defaultDeadline),
  FOLLOW_UP_FIRST_AFTER: duration(D.followUp.firstAfter),
  FOLLOW_UP_BACKOFF: z.coerce.number().min(1).max(10).default(D.followUp.backoff),
  FOLLOW_UP_MAX_INTERVAL: duration(D.followUp.maxInterval),
  /** Longest a transaction sleeps without waking to look for a newer version (default engine-defaults.ts's, in the workflow). */
  WAKE_UP_INTERVAL: z.string().regex(DURATION_PATTERN, DURATION_HINT).optional(),
  /**
   * Lower a run's continue-as-new thresholds (history events, history bytes, signals). The
   * defaults (src/common/bounds.ts) are also the maximum: raising them would only move a
   * busy transaction closer to Temporal's own hard limits.
   */
  CONTINUE_AS_NEW_MAX_EVENTS: z.coerce.number().int().min(50).max(CONTINUE_AS_NEW.maxHistoryEvents).optional(),
  CONTINUE_AS_NEW_MAX_BYTES: z.coerce.number().int().min(65_536).max(CONTINUE_AS_NEW.maxHistoryBytes).optional(),
  CONTINUE_AS_NEW_MAX_SIGNALS: z.coerce.number().int().min(2).max(CONTINUE_AS_NEW.maxSignals).optional(),
};
