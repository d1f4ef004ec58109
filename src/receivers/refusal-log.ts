/** A refused callback as operators see it: no body, no headers, only what and why. */
export interface Refusal {
  at: string;
  provider: string;
  reason: string;
  detail: string;
  path: string;
  sender?: string;
  workflowId?: string;
}

/**
 * The most recent refusals of this process, for `countersign refused`. Bounded and in memory
 * on purpose: refused requests are unauthenticated input, and writing each one to Temporal
 * would let anyone fill it. Logs and the refusal metric keep the long view.
 */
export class RefusalLog {
  private readonly items: Refusal[] = [];
  constructor(private readonly capacity = 500) {}

  add(refusal: Refusal): void {
    this.items.push(refusal);
    if (this.items.length > this.capacity) this.items.shift();
  }

  /** Newest first. */
  list(limit = 100): Refusal[] {
    return this.items.slice(-limit).reverse();
  }
}
