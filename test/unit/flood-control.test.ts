// The receivers' flood control parts on a fake clock: the recently-accepted cache (bounded by
// entries and time, identical deliveries coalesced) and the per-transaction token bucket.
import { RecentlyAccepted } from '../../src/receivers/recently-accepted';
import { TransactionRateLimit } from '../../src/receivers/transaction-rate-limit';

function fakeClock() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    advance: (ms: number) => void (now += ms),
    sleeps,
    // Records the wait; time moves only when a test says so.
    sleep: async (ms: number) => void sleeps.push(ms),
  };
}

describe('RecentlyAccepted', () => {
  it('knows a callback only when every one of its keys was accepted for that workflow, within the window', () => {
    const clock = fakeClock();
    const recent = new RecentlyAccepted({ maxEntries: 100, ttlMs: 60_000, now: clock.now });
    expect(recent.has('wf-1', ['status:1'])).toBe(false);
    recent.remember('wf-1', ['status:1', 'activity:a']);
    expect(recent.has('wf-1', ['status:1'])).toBe(true);
    expect(recent.has('wf-1', ['activity:a', 'status:1'])).toBe(true);
    expect(recent.has('wf-1', ['status:1', 'activity:b'])).toBe(false);
    expect(recent.has('wf-2', ['status:1'])).toBe(false);
    // No keys: nothing to vouch for.
    expect(recent.has('wf-1', [])).toBe(false);
    clock.advance(60_001);
    expect(recent.has('wf-1', ['status:1'])).toBe(false);
  });

  it('keeps at most maxEntries pairs, dropping the least recently used', () => {
    const recent = new RecentlyAccepted({ maxEntries: 3, ttlMs: 60_000 });
    recent.remember('wf-1', ['a']);
    recent.remember('wf-2', ['a']);
    recent.remember('wf-3', ['a']);
    expect(recent.has('wf-1', ['a'])).toBe(true); // now the most recently used
    recent.remember('wf-4', ['a']);
    expect(recent.size).toBe(3);
    expect(recent.has('wf-2', ['a'])).toBe(false);
    expect(recent.has('wf-1', ['a'])).toBe(true);
    expect(recent.has('wf-4', ['a'])).toBe(true);
  });

  it('evicts in least-recently-used order through many evictions, hits and repeats', () => {
    // Against a plain model: an array in recency order, the oldest first.
    const max = 50;
    const recent = new RecentlyAccepted({ maxEntries: max, ttlMs: 60_000 });
    let model: string[] = [];
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let step = 0; step < 20_000; step++) {
      const key = `k${random(120)}`;
      if (random(3) === 0) {
        const hit = recent.has('wf', [key]);
        expect(hit).toBe(model.includes(key));
        if (hit) model = [...model.filter((k) => k !== key), key];
      } else {
        recent.remember('wf', [key]);
        model = [...model.filter((k) => k !== key), key].slice(-max);
      }
      expect(recent.size).toBe(model.length);
    }
  });

  it('is off with maxEntries 0', () => {
    const recent = new RecentlyAccepted({ maxEntries: 0, ttlMs: 60_000 });
    recent.remember('wf-1', ['a']);
    expect(recent.has('wf-1', ['a'])).toBe(false);
  });

  it('runs one delivery for identical callbacks in flight, and shares its outcome, error included', async () => {
    const recent = new RecentlyAccepted({ maxEntries: 10, ttlMs: 60_000 });
    let calls = 0;
    let release!: (v: string) => void;
    const deliver = () => {
      calls++;
      return new Promise<string>((r) => (release = r));
    };
    const first = recent.once('wf-1', ['b', 'a'], deliver);
    const second = recent.once('wf-1', ['a', 'b'], deliver);
    const other = recent.once('wf-1', ['a'], async () => 'other');
    release('done');
    expect(await first).toEqual({ settled: { value: 'done' }, joined: false });
    expect(await second).toEqual({ settled: { value: 'done' }, joined: true });
    expect(await other).toEqual({ settled: { value: 'other' }, joined: false });
    expect(calls).toBe(1);

    const boom = new Error('Temporal down');
    const failed = await Promise.all([
      recent.once('wf-2', ['a'], () => Promise.reject(boom)),
      recent.once('wf-2', ['a'], deliver),
    ]);
    expect(failed.map((f) => f.settled)).toEqual([{ error: boom }, { error: boom }]);
    // Settled deliveries are forgotten: the next one runs again.
    expect((await recent.once('wf-2', ['a'], async () => 'again')).settled).toEqual({ value: 'again' });
  });
});

describe('TransactionRateLimit', () => {
  it('allows a burst per transaction, then refuses what it cannot serve within maxWait', async () => {
    const clock = fakeClock();
    const limit = new TransactionRateLimit({ ratePerSecond: 2, burst: 3, maxWaitMs: 0, maxTracked: 100, ...clock });
    const takes = [];
    for (let i = 0; i < 5; i++) takes.push(await limit.take('wf-1'));
    expect(takes).toEqual([true, true, true, false, false]);
    // Another transaction has its own bucket.
    expect(await limit.take('wf-2')).toBe(true);
    clock.advance(500);
    expect(await limit.take('wf-1')).toBe(true);
    expect(await limit.take('wf-1')).toBe(false);
    expect(clock.sleeps).toEqual([]);
  });

  it('makes a callback over the rate wait for its token when it is due within maxWait, first come first served', async () => {
    const clock = fakeClock();
    const limit = new TransactionRateLimit({ ratePerSecond: 4, burst: 1, maxWaitMs: 600, maxTracked: 100, ...clock });
    expect(await limit.take('wf-1')).toBe(true);
    // Reservations at 250 ms and 500 ms; the next would be 750 ms away.
    const waits = await Promise.all([limit.take('wf-1'), limit.take('wf-1'), limit.take('wf-1')]);
    expect(waits).toEqual([true, true, false]);
    expect(clock.sleeps).toEqual([250, 500]);
  });

  it('tracks at most maxTracked transactions and drops idle ones first', async () => {
    const clock = fakeClock();
    const limit = new TransactionRateLimit({ ratePerSecond: 1, burst: 2, maxWaitMs: 0, maxTracked: 2, ...clock });
    await limit.take('wf-1');
    await limit.take('wf-2');
    await limit.take('wf-3');
    expect(limit.tracked).toBe(2);
    clock.advance(10_000);
    await limit.take('wf-4');
    // wf-2 and wf-3 refilled while idle: dropped, nothing lost.
    expect(limit.tracked).toBe(1);
  });

  it('limits nothing at rate 0', async () => {
    const limit = new TransactionRateLimit({ ratePerSecond: 0, burst: 1, maxWaitMs: 0, maxTracked: 1 });
    for (let i = 0; i < 50; i++) expect(await limit.take('wf-1')).toBe(true);
  });
});
