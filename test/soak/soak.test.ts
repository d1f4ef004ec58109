// The soak in CI, short (SOAK_SECONDS, default 25): every provider's callbacks at a steady
// rate with the worker killed, a garbage burst and Temporal restarted along the way. Every
// callback answered 2xx must show in its workflow; garbage must never count as accepted.
// `npm run soak` runs the long version (docs/reliability.md has its figures).
import { runSoak, type SoakResult } from './run-soak';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 25);
const RATE = Number(process.env.SOAK_RATE ?? 12);
let result: SoakResult;

beforeAll(async () => {
  result = await runSoak({ seconds: SECONDS, rate: RATE, drainSeconds: 90 });
}, 360_000);

it('injected every fault', () => {
  const faults = result.faults.join('\n');
  for (const f of ['worker killed', 'worker restarted', 'garbage burst', 'Temporal stopped', 'Temporal restarted'])
    expect(faults).toContain(f);
  // Temporal's outage was felt: valid callbacks were answered 503 and retried.
  expect(result.retried['503']).toBeGreaterThan(0);
});

it('got every valid callback accepted in the end', () => {
  expect(result.faults.join('\n')).not.toContain('still not accepted');
  expect(result.accepted).toBeGreaterThan(SECONDS * RATE * 0.5);
});

it('shows every accepted callback in its workflow', () => {
  expect(result.missing).toEqual([]);
  expect(result.reflected).toBe(result.accepted);
});

it('counted nothing else as accepted, and refused all the garbage', () => {
  // Answers from the receivers' memory of recent acceptances are counted apart (deduplicated); together they cover every 2xx.
  expect(result.acceptedMetric).toBeGreaterThanOrEqual(result.accepted);
  expect(result.garbage.sent).toBeGreaterThan(0);
  for (const [answer, count] of Object.entries(result.garbage.answers)) {
    const [provider, status] = answer.split(':');
    expect({
      answer,
      count,
      refused: provider === 'signhost' ? status === '200' : Number(status) >= 400 && Number(status) < 500,
    }).toEqual({ answer, count, refused: true });
  }
});
