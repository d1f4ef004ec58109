// A token bucket per transaction (workflow id), so one transaction's callbacks cannot take
// the whole engine: every callback that needs a signal takes a token. Buckets live in a
// bounded map; an idle bucket is full again, so dropping it loses nothing.

export interface TransactionRateLimitOptions {
  /** Signals per second one transaction may sustain. 0: no limit. */
  ratePerSecond: number;
  /** Signals one transaction may send at once after being quiet. */
  burst: number;
  /** A callback over the limit may wait this long for its token before it is refused. */
  maxWaitMs: number;
  /** Most transactions tracked at once; the least recently seen are dropped first. */
  maxTracked: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TransactionRateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: TransactionRateLimitOptions) {
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get tracked(): number {
    return this.buckets.size;
  }

  /**
   * Takes a token for the transaction, waiting for it when it is due within `maxWaitMs`
   * (tokens may go negative: each waiting callback holds a reservation on a future token).
   * Returns false, reserving nothing, when the wait would be longer.
   */
  async take(workflowId: string): Promise<boolean> {
    const { ratePerSecond: rate, burst } = this.opts;
    if (rate <= 0) return true;
    const now = this.now();
    const bucket = this.buckets.get(workflowId) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    // Most recently seen last, so eviction drops the longest idle first.
    this.buckets.delete(workflowId);
    this.evict(now);
    this.buckets.set(workflowId, bucket);
    const waitMs = bucket.tokens >= 1 ? 0 : Math.ceil(((1 - bucket.tokens) / rate) * 1000);
    if (waitMs > this.opts.maxWaitMs) return false;
    bucket.tokens -= 1;
    if (waitMs > 0) await this.sleep(waitMs);
    return true;
  }

  private evict(now: number): void {
    const { ratePerSecond: rate, burst } = this.opts;
    // Oldest first, leaving room for the one being taken from; stop at the first bucket still
    // refilling once the bound holds (the rest were seen later).
    for (const [id, bucket] of this.buckets) {
      const full = bucket.tokens + ((now - bucket.at) / 1000) * rate >= burst;
      if (this.buckets.size < this.opts.maxTracked && !full) break;
      this.buckets.delete(id);
    }
  }
}
