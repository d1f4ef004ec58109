// Telling a Temporal outage from Temporal refusing a request. Only an outage is worth a
// "retry later": a refusal (a search attribute the cluster does not know, a missing
// namespace, a denied API key) fails the same way on every retry until an operator acts, so
// it must reach the log with its cause and be answered as the server's own error.

/** gRPC status codes by number (stable across gRPC implementations). */
const CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** Codes that mean "not now" rather than "not like this". */
const OUTAGE_CODES: ReadonlySet<string> = new Set([
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'RESOURCE_EXHAUSTED',
  'ABORTED',
  'CANCELLED',
]);

interface Chained {
  message?: unknown;
  code?: unknown;
  details?: unknown;
  cause?: unknown;
}

function chain(err: unknown): Chained[] {
  const out: Chained[] = [];
  let current: unknown = err;
  // Bounded: a cause chain that loops must not hang a request.
  while (current && typeof current === 'object' && out.length < 8) {
    out.push(current);
    current = (current as Chained).cause;
  }
  return out;
}

/** The gRPC status code somewhere in the error's cause chain, if any. */
export function grpcCode(err: unknown): number | undefined {
  for (const e of chain(err)) if (typeof e.code === 'number') return e.code;
  return undefined;
}

/** The gRPC code's name (`INVALID_ARGUMENT`), for logs and answers. */
export function grpcCodeName(code: number | undefined): string | undefined {
  return code === undefined ? undefined : CODE_NAMES[code];
}

/**
 * True when Temporal could not be reached or was too busy: the caller may retry. An error
 * without a gRPC code (connection lost, a deadline of our own) counts as an outage too.
 */
export function isTemporalOutage(err: unknown): boolean {
  const code = grpcCode(err);
  return code === undefined || OUTAGE_CODES.has(grpcCodeName(code) ?? '');
}

/**
 * Every message of the cause chain, once each: the SDK wraps the server's reason ("no mapping
 * defined for search attribute SigningProvider") in a generic one ("Failed to start Workflow").
 */
export function describeTemporalError(err: unknown): string {
  const parts: string[] = [];
  for (const e of chain(err)) {
    for (const text of [e.message, e.details]) {
      if (typeof text !== 'string' || text === '') continue;
      if (parts.some((p) => p.includes(text))) continue;
      parts.push(text);
    }
  }
  return parts.join(': ') || String(err);
}
