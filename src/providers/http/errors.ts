// Failures of a provider API call. Messages name the provider, the operation and the HTTP
// status only: response bodies may carry personal data and never end up in an error.

export interface ProviderErrorInit {
  provider: string;
  operation: string;
  status?: number;
  /** When the provider said (Retry-After) how long to wait before asking again. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** Base class; `retryable` tells the activity whether Temporal should try again. */
export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly provider: string;
  readonly operation: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly retryable: boolean = true;

  constructor(message: string, init: ProviderErrorInit) {
    super(
      `${init.provider} ${init.operation}: ${message}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.provider = init.provider;
    this.operation = init.operation;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** 401/403, or an OAuth token refused: wrong or missing credentials. Retrying cannot help. */
export class ProviderAuthError extends ProviderError {
  override name = 'ProviderAuthError';
  override readonly retryable = false;
}

/** Credentials the call needs are not configured at all. */
export class ProviderNotConfiguredError extends ProviderError {
  override name = 'ProviderNotConfiguredError';
  override readonly retryable = false;
}

/** Any other 4xx: the request itself is wrong for this provider; the same request fails again. */
export class ProviderRequestError extends ProviderError {
  override name = 'ProviderRequestError';
  override readonly retryable = false;
}

/** The answer does not have the shape this client expects (the provider changed its API?). */
export class ProviderResponseError extends ProviderError {
  override name = 'ProviderResponseError';
  override readonly retryable = false;
}

/** 5xx, 429, timeouts and network errors that outlasted the client's own retries. */
export class ProviderUnavailableError extends ProviderError {
  override name = 'ProviderUnavailableError';
}

/** The process-local rate limit would make this call wait longer than the activity may. */
export class ProviderRateLimitedError extends ProviderError {
  override name = 'ProviderRateLimitedError';
}

export function isProviderError(err: unknown): err is ProviderError {
  return (
    err instanceof Error &&
    typeof (err as ProviderError).retryable === 'boolean' &&
    typeof (err as ProviderError).provider === 'string'
  );
}
