// How a simulator calls the engine back: one real HTTP POST with the provider's timeout, and
// a record of every attempt for tests and demos to inspect.

export interface Delivery {
  /** Scheduler time of the attempt. */
  at: number;
  url: string;
  attempt: number;
  ok: boolean;
  status?: number;
  error?: string;
  /** What was sent, for assertions (simulated data only, never real personal data). */
  body: string;
  headers: Record<string, string>;
}

export interface SendResult {
  ok: boolean;
  status?: number;
  error?: string;
}

export async function postCallback(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  isSuccess: (status: number) => boolean = (s) => s >= 200 && s < 300,
): Promise<SendResult> {
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return { ok: isSuccess(res.status), status: res.status };
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    return { ok: false, error: e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.name ?? 'error') };
  }
}

/** Tracks sends in flight so a simulator can be closed (or a test settle) cleanly. */
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();

  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  async settle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
