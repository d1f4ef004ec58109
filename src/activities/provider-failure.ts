import { ApplicationFailure } from '@temporalio/common';
import { isProviderError } from '../providers/http/errors';

/**
 * A provider API failure as Temporal should see it: typed by the error class name, not
 * retried when retrying cannot help (credentials refused, request or answer malformed), and
 * retried no sooner than the provider's Retry-After.
 */
export function asActivityFailure(err: unknown): unknown {
  if (!isProviderError(err)) return err;
  return ApplicationFailure.create({
    type: err.name,
    message: err.message,
    nonRetryable: !err.retryable,
    ...(err.retryable && err.retryAfterMs !== undefined && { nextRetryDelay: err.retryAfterMs }),
    details: [{ provider: err.provider, operation: err.operation, status: err.status ?? null }],
  });
}
