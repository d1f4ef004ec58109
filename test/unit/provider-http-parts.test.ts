// The pure parts of the provider HTTP client: backoff, Retry-After, the token bucket, and the
// fake scheduler the simulators run on.
import { backoffDelay, parseRetryAfter } from '../../src/providers/http/backoff';
import { RateLimitWaitTooLong, TokenBucket, type Clock } from '../../src/providers/http/token-bucket';
import { FakeScheduler } from '../../src/providers/kit/simulator/scheduler';

/** Sleeps are recorded and return at once; time moves only with `advance`. */
function fakeClock(start = 0): Clock & { slept: number[]; advance(ms: number): void } {
  let t = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms) => void slept.push(ms),
    advance: (ms) => void (t += ms),
  };
}

describe('backoffDelay', () => {
  const opts = { baseDelayMs: 500, maxDelayMs: 8_000 };
  it('doubles its ceiling per attempt, keeps at least half of it, and caps', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, { ...opts, random: () => 0 }))).toEqual([
      250, 500, 1000, 2000, 4000, 4000,
    ]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, { ...opts, random: () => 1 }))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000,
    ]);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  it.each([
    ['7', 7000],
    ['0', 0],
    ['Sun, 01 Mar 2026 12:00:30 GMT', 30_000],
    ['Sun, 01 Mar 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ])('%s → %s', (value, expected) => expect(parseRetryAfter(value, now)).toBe(expected));
});

describe('TokenBucket', () => {
  it('lets a burst through, then spaces calls at the rate, first come first served', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 2, clock });
    await Promise.all([bucket.take(), bucket.take(), bucket.take(), bucket.take()]);
    // Two immediately; the 3rd waits for one token (500 ms), the 4th holds the next (1000 ms).
    expect(clock.slept).toEqual([500, 1000]);
  });

  it('refills with time and never beyond its burst', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1, clock });
    await bucket.take();
    clock.advance(10_000);
    await bucket.take();
    await bucket.take();
    expect(clock.slept).toEqual([1000]);
  });

  it('refuses without reserving when the wait is too long', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1, clock });
    await bucket.take();
    await expect(bucket.take(200)).rejects.toMatchObject({ name: 'RateLimitWaitTooLong', waitMs: 1000 });
    expect(new RateLimitWaitTooLong(5).name).toBe('RateLimitWaitTooLong');
    // The refusal took nothing: the next caller still waits only one interval.
    await bucket.take();
    expect(clock.slept).toEqual([1000]);
  });
});

describe('FakeScheduler', () => {
  it('runs due tasks in time order, including tasks scheduled by tasks, and nothing early', async () => {
    const s = new FakeScheduler(0);
    const ran: Array<[string, number]> = [];
    s.schedule(300, () => void ran.push(['c', s.now()]));
    s.schedule(100, () => {
      ran.push(['a', s.now()]);
      s.schedule(50, () => void ran.push(['b', s.now()]));
    });
    const cancel = s.schedule(200, () => void ran.push(['cancelled', s.now()]));
    cancel();
    await s.advance(299);
    expect(ran).toEqual([
      ['a', 100],
      ['b', 150],
    ]);
    await s.advance(1);
    expect(ran.at(-1)).toEqual(['c', 300]);
    expect(s.size).toBe(0);
  });
});
