// The one way Countersign calls a provider's API: Node's fetch with a timeout per attempt,
// a few quick retries with backoff on 5xx, 429 and network faults (honouring Retry-After),
// no retry on authentication errors, and a per-provider rate limit. Longer outages are the
// activity's retry policy's business, and beyond that the workflow's follow-up backoff.
import { backoffDelay, parseRetryAfter } from './backoff';
import { ProviderAuthError, ProviderRateLimitedError, ProviderRequestError, ProviderUnavailableError } from './errors';
import { RateLimitWaitTooLong, realClock, type Clock, type TokenBucket } from './token-bucket';

export interface ProviderHttpClientOptions {
  provider: string;
  baseUrl: string;
  /** Per attempt, headers and body included. */
  timeoutMs?: number;
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * A Retry-After longer than this is not waited for in-process: the call fails retryably
   * with `retryAfterMs` set, and Temporal's activity retry waits instead.
   */
  maxRetryAfterMs?: number;
  rateLimiter?: TokenBucket;
  /** Longest wait for a rate-limit token before giving up retryably. */
  maxRateLimitWaitMs?: number;
  fetch?: typeof fetch;
  clock?: Clock;
  random?: () => number;
}

export interface ProviderRequest {
  /** Short name for errors and logs, e.g. `document status`. */
  operation: string;
  method: 'GET' | 'POST';
  /** Appended to the base URL; callers encode path segments. */
  path: string;
  headers?: Record<string, string>;
  /** Sent byte for byte (Evrotrust signs the exact body). */
  body?: string;
  /** Non-2xx statuses that still carry an answer (Signhost's 410 Gone). */
  acceptStatuses?: number[];
}

export interface ProviderResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface ProviderHttpClient {
  readonly provider: string;
  request(req: ProviderRequest): Promise<ProviderResponse>;
}

const RETRYABLE_STATUS = (status: number) => status === 429 || status === 408 || status >= 500;

export function joinUrl(baseUrl: string, path: string): string {
  if (!path) return baseUrl;
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Header names are case-insensitive: merge on lower-cased names so a caller's value replaces ours. */
function mergeHeaders(...sets: Array<Record<string, string> | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const set of sets) for (const [name, value] of Object.entries(set ?? {})) out[name.toLowerCase()] = value;
  return out;
}

export function createProviderHttpClient(opts: ProviderHttpClientOptions): ProviderHttpClient {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
  const backoff = { baseDelayMs: opts.baseDelayMs ?? 500, maxDelayMs: opts.maxDelayMs ?? 8_000, random: opts.random };
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 15_000;
  const clock = opts.clock ?? realClock;
  const doFetch = opts.fetch ?? fetch;

  async function attempt(req: ProviderRequest): Promise<ProviderResponse> {
    if (opts.rateLimiter) {
      try {
        await opts.rateLimiter.take(opts.maxRateLimitWaitMs ?? 20_000);
      } catch (err) {
        if (!(err instanceof RateLimitWaitTooLong)) throw err;
        throw new ProviderRateLimitedError('local rate limit reached', {
          provider: opts.provider,
          operation: req.operation,
          retryAfterMs: err.waitMs,
        });
      }
    }
    const res = await doFetch(joinUrl(opts.baseUrl, req.path), {
      method: req.method,
      headers: mergeHeaders(
        { accept: 'application/json' },
        req.body !== undefined ? { 'content-type': 'application/json' } : undefined,
        req.headers,
      ),
      body: req.body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  }

  return {
    provider: opts.provider,
    async request(req) {
      const init = { provider: opts.provider, operation: req.operation };
      for (let n = 1; ; n++) {
        let res: ProviderResponse | undefined;
        let fault: unknown;
        try {
          res = await attempt(req);
        } catch (err) {
          if (err instanceof ProviderRateLimitedError) throw err;
          fault = err;
        }
        if (res && ((res.status >= 200 && res.status < 300) || req.acceptStatuses?.includes(res.status))) return res;
        if (res && (res.status === 401 || res.status === 403)) {
          throw new ProviderAuthError(`HTTP ${res.status}: credentials refused`, { ...init, status: res.status });
        }
        if (res && !RETRYABLE_STATUS(res.status)) {
          throw new ProviderRequestError(`HTTP ${res.status}`, { ...init, status: res.status });
        }

        const retryAfterMs = res ? parseRetryAfter(res.headers.get('retry-after'), clock.now()) : undefined;
        const what = res ? `HTTP ${res.status}` : describeFault(fault, timeoutMs);
        if (n >= maxAttempts || (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs)) {
          throw new ProviderUnavailableError(`${what} after ${n} attempt${n === 1 ? '' : 's'}`, {
            ...init,
            status: res?.status,
            retryAfterMs,
            cause: fault,
          });
        }
        await clock.sleep(retryAfterMs ?? backoffDelay(n, backoff));
      }
    },
  };
}

function describeFault(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return `network error${e?.cause?.code ? ` ${e.cause.code}` : ''}`;
}
