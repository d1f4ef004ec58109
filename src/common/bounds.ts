// How big one transaction may grow, whatever its traffic. Every number here has a test at
// that bound (test/integration/bounded-transaction.test.ts, test/unit/transaction-state*.test.ts);
// docs/reliability.md explains them.

/** Non-decisive events kept in state (the most recent); older ones are counted, not kept. */
export const RECENT_EVENTS = 50;

/** Events carrying what the download steps need (file ids, download links), newest kept. */
export const DOCUMENT_EVENTS = 10;

/** Signers summarized one line each; later signers are only counted. */
export const MAX_SIGNERS = 100;

/**
 * Event keys remembered (as 64-bit hashes, 16 characters each) for deduplication; past this
 * the oldest are forgotten. A forgotten key that comes back is recorded once more, which is
 * harmless: statuses never move backwards and the recent list is bounded.
 */
export const MAX_SEEN_KEYS = 20_000;

/** Longest reason kept; the rest is cut with an ellipsis. */
export const REASON_MAX = 1_000;

/** Longest string kept in an event's details, and the largest details object (JSON). */
export const DETAIL_STRING_MAX = 300;
export const DETAILS_JSON_MAX = 1_024;

/**
 * When a run hands over to a fresh one (continue-as-new): well under Temporal's own limits
 * (10 000 signals and 50 MiB per run; a history page over 4 MiB cannot even be fetched) so a flood cannot reach them, and
 * small enough that replaying a run after a cache miss stays cheap.
 */
export const CONTINUE_AS_NEW = {
  /** History events in one run. */
  maxHistoryEvents: 1_000,
  /** History bytes in one run. */
  maxHistoryBytes: 1024 * 1024,
  /** Signals received by one run. */
  maxSignals: 100,
} as const;
