// Facts Temporal already holds. Providers retry, some repeat every earlier activity in
// each callback, and an attacker can replay one callback thousands of times; each fact sent
// again would cost a signal payload, history and a workflow task on the same transaction.
// An event key durably accepted (answered 2xx) for a workflow within the window need not be
// sent again: the earlier acceptance is durable, so nothing is lost. A callback made only of
// such keys is answered 2xx without Temporal.

export interface RecentlyAcceptedOptions {
  /** Most (workflow id, event key) pairs remembered; the least recently used go first. 0: off. */
  maxEntries: number;
  /** How long an acceptance is remembered. */
  ttlMs: number;
  now?: () => number;
}

/** How a delivery ended, as the receiver answers it; only `accepted` and `late` are remembered. */
export type Settled<T> = { value: T } | { error: unknown };

export class RecentlyAccepted {
  private readonly pairs = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<Settled<unknown>>>();
  private oldest: MapIterator<string> | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: RecentlyAcceptedOptions) {
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.pairs.size;
  }

  /** Whether every key was accepted for this workflow within the window. */
  has(workflowId: string, keys: readonly string[]): boolean {
    if (this.opts.maxEntries === 0 || keys.length === 0) return false;
    const now = this.now();
    for (const key of keys) {
      const pair = pairOf(workflowId, key);
      const at = this.pairs.get(pair);
      if (at === undefined) return false;
      if (now - at > this.opts.ttlMs) {
        this.pairs.delete(pair);
        return false;
      }
    }
    // A hit refreshes recency (not the time): a flood keeps its pairs, the window still ends.
    for (const key of keys) {
      const pair = pairOf(workflowId, key);
      const at = this.pairs.get(pair)!;
      this.pairs.delete(pair);
      this.pairs.set(pair, at);
    }
    return true;
  }

  remember(workflowId: string, keys: readonly string[]): void {
    if (this.opts.maxEntries === 0) return;
    const now = this.now();
    for (const key of keys) {
      const pair = pairOf(workflowId, key);
      this.pairs.delete(pair);
      this.pairs.set(pair, now);
    }
    this.evictLeastRecentlyUsed();
  }

  /**
   * Map iteration follows insertion order, so the first entries are the least recently used.
   * One iterator serves every call, and every entry it has passed is evicted, so its next entry
   * is always the oldest. A new iterator per call would first step over every slot deleted at
   * the front, which Map keeps until it rebuilds its table: that grew a call from 0.6 µs to
   * 75 µs once 100 000 pairs were remembered.
   */
  private evictLeastRecentlyUsed(): void {
    while (this.pairs.size > this.opts.maxEntries) {
      let next = this.oldest?.next();
      // An iterator that reached the end stays there, even when entries are added after it.
      if (!next || next.done) {
        this.oldest = this.pairs.keys();
        next = this.oldest.next();
      }
      if (next.done) return;
      this.pairs.delete(next.value);
    }
  }

  /**
   * Runs `deliver` once for identical callbacks that arrive together: the others wait for the
   * first one's outcome instead of sending the same signal again. `joined` says whether this
   * call waited on another's delivery.
   */
  async once<T>(
    workflowId: string,
    keys: readonly string[],
    deliver: () => Promise<T>,
  ): Promise<{ settled: Settled<T>; joined: boolean }> {
    const id = `${workflowId}\n${[...keys].sort().join('\n')}`;
    const running = this.inFlight.get(id);
    if (running) return { settled: (await running) as Settled<T>, joined: true };
    const settled: Promise<Settled<T>> = deliver().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    this.inFlight.set(id, settled);
    try {
      return { settled: await settled, joined: false };
    } finally {
      this.inFlight.delete(id);
    }
  }
}

const pairOf = (workflowId: string, key: string) => `${workflowId}\n${key}`;
