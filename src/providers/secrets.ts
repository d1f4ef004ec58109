// Secrets that rotate (docs/secret-rotation.md). Every callback credential is a current value
// and, during a rotation's overlap, a previous one (`<VARIABLE>_PREVIOUS`): a provider still
// signing with the old value is accepted until the operator drops it, and the receiver counts
// those callbacks so the operator knows when that is safe.
import { secret } from './env';

/** The variable holding the value being retired, beside `name`. */
export const previousVariable = (name: string) => `${name}_PREVIOUS`;

/** `NAME` and `NAME_PREVIOUS`, both optional; src/config/ refuses a previous without a current. */
export function rotatingSecret<N extends string>(name: N): Record<N | `${N}_PREVIOUS`, typeof secret> {
  return { [name]: secret, [previousVariable(name)]: secret } as Record<N | `${N}_PREVIOUS`, typeof secret>;
}

/** Which configured value a callback carried. */
export type SecretMatch = 'current' | 'previous' | undefined;

/**
 * Checks `matches` against the current and the previous value. Both are always tried, so the
 * time taken says nothing about which one (if any) matched; `matches` must compare in
 * constant time itself (secretsEqual).
 */
export function matchSecret(
  current: string,
  previous: string | undefined,
  matches: (secret: string) => boolean,
): SecretMatch {
  const byCurrent = matches(current);
  const byPrevious = previous !== undefined && matches(previous);
  return byCurrent ? 'current' : byPrevious ? 'previous' : undefined;
}
