// Reading a failed workflow task out of the SDK's forwarded core log (the shape SDK 1.24's
// core writes; the integration test worker-isolation.test.ts sees it for real).
import type { LogEntry } from '@temporalio/worker';
import { failedWorkflowTask } from '../../src/app/workflow-task-failures';

const entry = (message: string, meta: Record<string, unknown>): LogEntry => ({
  level: 'WARN',
  message,
  meta,
  timestampNanos: 0n,
});

describe('failedWorkflowTask', () => {
  it('takes the run id and the failure message, without the stack trace', () => {
    const failure =
      'Failure { failure: Some(Failure { message: "deliberate \\"workflow\\" task failure", source: "TypeScriptSDK", stack_trace: "TypeError: deliberate\\n    at failingTaskWorkflow (/app/x.ts:4:8)", encoded_attributes: None, cause: None, failure_info: None }), force_cause: Unspecified }';
    expect(
      failedWorkflowTask(entry('Failing workflow task', { sdkComponent: 'core', runId: 'run-1', failure })),
    ).toEqual({
      runId: 'run-1',
      cause: 'deliberate \\"workflow\\" task failure',
    });
  });

  it('cuts a long cause short and ignores every other log', () => {
    const long = `Failure { failure: Some(Failure { message: "${'x'.repeat(500)}" }) }`;
    expect(failedWorkflowTask(entry('Failing workflow task', { runId: 'run-2', failure: long }))?.cause).toHaveLength(
      200,
    );
    expect(failedWorkflowTask(entry('Workflow failed', { runId: 'run-3' }))).toBeUndefined();
    expect(failedWorkflowTask(entry('Failing workflow task', {}))).toBeUndefined();
  });
});
