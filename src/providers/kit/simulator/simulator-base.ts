// What every provider simulator shares: its HTTP server, its clock, the callbacks it sent,
// and a retrying sender for providers that retry on a fixed schedule.
import { InFlight, postCallback, type Delivery } from './callback-sender';
import { realScheduler, type Scheduler } from './scheduler';
import { jsonBody, SimServer, type SimRequest } from './sim-server';

export interface SimulatorOptions {
  scheduler?: Scheduler;
  /** How long the provider waits for the engine's answer. */
  callbackTimeoutMs?: number;
}

export interface CallbackPlan {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Waits after each failed attempt: attempts in all = 1 + delays. */
  delaysMs: number[];
  isSuccess?: (status: number) => boolean;
  onGiveUp?: () => void;
}

export abstract class SimulatorBase {
  readonly server: SimServer;
  readonly scheduler: Scheduler;
  readonly deliveries: Delivery[] = [];
  readonly callbackTimeoutMs: number;
  protected readonly inFlight = new InFlight();
  private readonly cancels = new Set<() => void>();
  private closed = false;

  constructor(opts: SimulatorOptions, defaultTimeoutMs: number) {
    this.scheduler = opts.scheduler ?? realScheduler;
    this.callbackTimeoutMs = opts.callbackTimeoutMs ?? defaultTimeoutMs;
    this.server = new SimServer(() => this.scheduler.now());
    this.control('GET', '/deliveries', () => ({ status: 200, body: this.deliveries }));
  }

  /**
   * A route of the control API under `/_simulator` (no auth: bind simulators to loopback),
   * so demos and benchmarks in another process can drive the simulated provider.
   */
  protected control(
    method: string,
    path: string,
    handler: (
      body: Record<string, unknown>,
      req: SimRequest,
    ) => Promise<{ status: number; body?: unknown }> | { status: number; body?: unknown },
  ): void {
    this.server.route(method, `/_simulator${path}`, async (req) => {
      const body = req.rawBody.length ? jsonBody(req) : {};
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        return { status: 400, body: { error: 'expected a JSON object' } };
      try {
        return await handler(body as Record<string, unknown>, req);
      } catch (err) {
        return { status: 400, body: { error: (err as Error).message } };
      }
    });
  }

  get url(): string {
    return this.server.url;
  }

  start(port = 0): Promise<string> {
    return this.server.start(port);
  }

  /** Waits for callbacks already on the wire (not for retries still scheduled). */
  settle(): Promise<void> {
    return this.inFlight.settle();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    await this.inFlight.settle();
    await this.server.close();
  }

  /** Schedules a task on the simulator's clock, cancelled on close. */
  protected later(delayMs: number, task: () => Promise<void>): void {
    if (this.closed) return;
    const cancel = this.scheduler.schedule(delayMs, async () => {
      this.cancels.delete(cancel);
      if (!this.closed) await task();
    });
    this.cancels.add(cancel);
  }

  /** One attempt, recorded; resolves with whether the engine accepted it. */
  protected async attempt(
    url: string,
    body: string,
    headers: Record<string, string>,
    attempt: number,
    isSuccess?: (s: number) => boolean,
  ) {
    const at = this.scheduler.now();
    const result = await this.inFlight.track(postCallback(url, body, headers, this.callbackTimeoutMs, isSuccess));
    this.deliveries.push({ at, url, attempt, body, headers, ...result });
    return result.ok;
  }

  /** Sends now and retries on the plan's schedule; resolves after the first attempt. */
  protected async deliver(plan: CallbackPlan): Promise<boolean> {
    const run = async (n: number): Promise<boolean> => {
      if (this.closed) return false;
      const ok = await this.attempt(plan.url, plan.body, plan.headers, n, plan.isSuccess);
      if (ok) return true;
      if (n > plan.delaysMs.length) {
        plan.onGiveUp?.();
        return false;
      }
      this.later(plan.delaysMs[n - 1], async () => {
        await run(n + 1);
      });
      return false;
    };
    return run(1);
  }
}

export function randomId(): string {
  return crypto.randomUUID();
}
