// Time for the simulators' retry schedules. Real time for the demo and benchmarks; a fake
// clock in tests, so "every 30 minutes for 24 hours" runs in milliseconds while the HTTP
// requests themselves stay real.

export type Task = () => void | Promise<void>;

export interface Scheduler {
  now(): number;
  /** Runs `task` after `delayMs`; returns a function that cancels it. */
  schedule(delayMs: number, task: Task): () => void;
}

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  schedule(delayMs, task) {
    const timer = setTimeout(
      () =>
        void Promise.resolve()
          .then(task)
          .catch(() => undefined),
      delayMs,
    );
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

interface Pending {
  at: number;
  seq: number;
  task: Task;
}

/** Time moves only when told to; due tasks run in time order and are awaited one by one. */
export class FakeScheduler implements Scheduler {
  private time: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = Date.parse('2026-01-05T09:00:00Z')) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, task: Task): () => void {
    const entry = { at: this.time + Math.max(0, delayMs), seq: this.seq++, task };
    this.pending.push(entry);
    return () => {
      this.pending = this.pending.filter((p) => p !== entry);
    };
  }

  /** Tasks not yet run. */
  get size(): number {
    return this.pending.length;
  }

  /** Moves time forward, running (and awaiting) every task due on the way, new ones included. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const next = this.nextDue(until);
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.time = next.at;
      await next.task();
    }
    this.time = until;
  }

  /** Runs everything scheduled, however far ahead, up to `maxMs` from now. */
  async runAll(maxMs = 365 * 24 * 3_600_000): Promise<void> {
    await this.advance(maxMs);
  }

  private nextDue(until: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending) {
      if (p.at > until) continue;
      if (!best || p.at < best.at || (p.at === best.at && p.seq < best.seq)) best = p;
    }
    return best;
  }
}
