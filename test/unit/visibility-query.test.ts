import { quoteQueryValue } from '../../src/temporal/visibility-query';

it('quotes a value so it can only be compared, whatever it holds', () => {
  expect(quoteQueryValue('signhost')).toBe("'signhost'");
  expect(quoteQueryValue("x' OR SigningStatus = 'signed")).toBe("'x\\' OR SigningStatus = \\'signed'");
  // A trailing backslash must not escape the closing quote.
  expect(quoteQueryValue('tx\\')).toBe("'tx\\\\'");
  expect(quoteQueryValue('2026-12-06T05:00:00.000Z')).toBe("'2026-12-06T05:00:00.000Z'");
});
