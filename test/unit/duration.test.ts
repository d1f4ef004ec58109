import { msToNumber } from '@temporalio/common/lib/time';
import fc from 'fast-check';
import { DURATION_PATTERN, durationMs, InvalidDurationError } from '../../src/common/duration';

const UNITS = [
  'ms',
  'millisecond',
  'milliseconds',
  's',
  'sec',
  'secs',
  'second',
  'seconds',
  'm',
  'min',
  'mins',
  'minute',
  'minutes',
  'h',
  'hr',
  'hrs',
  'hour',
  'hours',
  'd',
  'day',
  'days',
  'w',
  'week',
  'weeks',
];

// Workflow inputs written before this parser existed were read by the SDK's: both must agree
// on every value the engine accepts, or a replayed workflow would wait a different time.
it('reads every accepted duration exactly as the Temporal SDK does', () => {
  fc.assert(
    fc.property(
      fc.nat(100_000),
      fc.option(fc.nat(99), { nil: undefined }),
      fc.constantFrom(...UNITS),
      fc.constantFrom('', ' '),
      fc.boolean(),
      (n, frac, unit, space, upper) => {
        const text = `${n}${frac === undefined ? '' : `.${frac}`}${space}${upper ? unit.toUpperCase() : unit}`;
        expect(DURATION_PATTERN.test(text)).toBe(true);
        expect(durationMs(text)).toBe(msToNumber(text as Parameters<typeof msToNumber>[0]));
      },
    ),
  );
  for (const text of [
    '30 days',
    '1 hour',
    '90 days',
    '6 hours',
    '1 day',
    '15 minutes',
    '73 hours',
    '25 hours',
    '10s',
    '2s',
    '1 minute',
  ]) {
    expect(durationMs(text)).toBe(msToNumber(text as Parameters<typeof msToNumber>[0]));
  }
});

it('refuses anything else, naming the format', () => {
  for (const text of ['', '6', 'h', '-1h', '1 fortnight', '1e3s', '1.s', '6 hours ago']) {
    expect(() => durationMs(text)).toThrow(InvalidDurationError);
  }
});
