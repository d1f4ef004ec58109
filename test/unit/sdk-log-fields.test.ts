// The SDK's log entries become our JSON lines with identifiers only: never a task token,
// arguments, or a stack trace.
import type { LogEntry } from '@temporalio/worker';
import { sdkLogFields } from '../../src/temporal/runtime';

it('keeps identifiers and an error message, drops tokens, arguments and stacks', () => {
  const err = new Error('Activity task failed\n    at somewhere (file.ts:1:1)');
  const entry: LogEntry = {
    level: 'WARN',
    message: 'Failed to complete activity',
    timestampNanos: 0n,
    meta: {
      sdkComponent: 'worker',
      taskQueue: 'countersign',
      workflowId: 'signing:signhost:abc',
      activityType: 'notifyApplication',
      attempt: 3,
      taskToken: 'CiQ0ZjM…secret',
      args: [{ name: 'Maria Souza', identifier: '307.625.739-02' }],
      error: err,
    },
  };
  const fields = sdkLogFields(entry);
  expect(fields).toEqual({
    source: 'temporal-sdk',
    sdkComponent: 'worker',
    taskQueue: 'countersign',
    workflowId: 'signing:signhost:abc',
    activityType: 'notifyApplication',
    attempt: 3,
    error: 'Error: Activity task failed',
  });
  expect(JSON.stringify(fields)).not.toMatch(/secret|Maria|307|at somewhere/);
});
