// The one duration format of the whole engine: configuration, the API, the CLI and workflow
// inputs all take `30s`, `6h`, `15 minutes`, `90 days` (a subset of what the Temporal SDK
// reads, so any of them can also go to the SDK as its `Duration`). Workflow-safe: no I/O.

/** A number and a unit: ms, s, m, h, d or w, short or spelled out. */
export const DURATION_PATTERN =
  /^(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)$/i;

export const DURATION_HINT = 'expected a duration like 30s, 6h or 90 days';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

function unitMs(unit: string): number {
  const u = unit.toLowerCase();
  if (u === 'ms' || u.startsWith('millisecond')) return UNIT_MS.ms;
  if (u === 'm' || u.startsWith('min')) return UNIT_MS.m;
  return UNIT_MS[u[0]];
}

export class InvalidDurationError extends Error {
  override name = 'InvalidDurationError';
}

/** Milliseconds of a duration in the engine's format; throws on anything else. */
export function durationMs(text: string): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) throw new InvalidDurationError(`${JSON.stringify(text)}: ${DURATION_HINT}`);
  return Number(match[1]) * unitMs(match[2]);
}
