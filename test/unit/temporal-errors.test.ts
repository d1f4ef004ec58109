import { ServiceError } from '@temporalio/client';
import { describeTemporalError, grpcCodeName, grpcCode, isTemporalOutage } from '../../src/temporal/temporal-errors';

/** The shape the SDK throws: a generic ServiceError wrapping the gRPC error with code and details. */
function wrapped(code: number, details: string): ServiceError {
  const grpc = Object.assign(new Error(`${code} ${grpcCodeName(code)}: ${details}`), { code, details, metadata: {} });
  return new ServiceError('Failed to start Workflow', { cause: grpc });
}

describe('Temporal error classification', () => {
  it('treats unreachable, overloaded and timed-out as an outage', () => {
    for (const code of [14, 4, 8]) expect(isTemporalOutage(wrapped(code, 'x'))).toBe(true);
  });

  it('treats refusals as not an outage', () => {
    const err = wrapped(3, 'no mapping defined for search attribute SigningProvider');
    expect(isTemporalOutage(err)).toBe(false);
    expect(grpcCodeName(grpcCode(err))).toBe('INVALID_ARGUMENT');
    for (const code of [5, 7, 9, 12, 16]) expect(isTemporalOutage(wrapped(code, 'x'))).toBe(false);
  });

  it('counts an error without a code (connection lost) as an outage', () => {
    expect(isTemporalOutage(new ServiceError('connection lost'))).toBe(true);
    expect(isTemporalOutage(new Error('socket hang up'))).toBe(true);
  });

  it('keeps the server’s reason that the SDK wraps', () => {
    const text = describeTemporalError(wrapped(3, 'no mapping defined for search attribute SigningProvider'));
    expect(text).toBe(
      'Failed to start Workflow: 3 INVALID_ARGUMENT: no mapping defined for search attribute SigningProvider',
    );
  });

  it('stops on a cause chain that loops', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    a.cause = a;
    expect(describeTemporalError(a)).toBe('a');
  });
});
