// A token bucket per provider, in the worker process: every HTTP attempt to a provider takes
// a token, so retries count too. The task queue's own rate limit spreads follow-ups across
// workers; this bucket guards the calls one activity makes (token + notify + get) and any
// process that calls the provider outside a follow-up.

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface TokenBucketOptions {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Largest burst; defaults to one second's worth (at least 1). */
  burst?: number;
  clock?: Clock;
}

export class RateLimitWaitTooLong extends Error {
  override name = 'RateLimitWaitTooLong';
  constructor(readonly waitMs: number) {
    super(`rate limit: next slot in ${waitMs} ms`);
  }
}

export class TokenBucket {
  private readonly rate: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;

  constructor(opts: TokenBucketOptions) {
    if (!(opts.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
    this.rate = opts.ratePerSecond;
    this.burst = Math.max(1, opts.burst ?? Math.ceil(opts.ratePerSecond));
    this.clock = opts.clock ?? realClock;
    this.tokens = this.burst;
    this.last = this.clock.now();
  }

  /**
   * Reserves the next token and waits until it is due. Reservations are taken in call order,
   * so waiting callers are served first come, first served. Refuses (without reserving) when
   * the wait would exceed `maxWaitMs`.
   */
  async take(maxWaitMs = Infinity): Promise<void> {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    // Tokens may go negative: each waiting caller holds a reservation on a future token.
    const waitMs = this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate) * 1000);
    if (waitMs > maxWaitMs) throw new RateLimitWaitTooLong(waitMs);
    this.tokens -= 1;
    if (waitMs > 0) await this.clock.sleep(waitMs);
  }
}
