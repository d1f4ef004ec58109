// Post-signing steps: the user's own activities, run durably when a transaction ends.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { eventSignals } from '../../src/common/messages';
import type { StepInput, TransactionInput } from '../../src/common/types';
import { signingWorkflow } from '../../src/workflows';
import { testConfig } from '../helpers/config';
import { startTimeSkippingEnv, uniqueId } from '../helpers/temporal';
import { withTestWorker } from '../helpers/worker';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkippingEnv();
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

function userActivities() {
  const seen: Array<{ step: string; status: string }> = [];
  let flaky = 0;
  return {
    seen,
    activities: {
      async archiveDocument(input: StepInput) {
        seen.push({ step: input.step, status: input.transaction.status });
        return { archivedAs: `${input.transaction.externalId}.pdf` };
      },
      async notifyCrm(input: StepInput) {
        seen.push({ step: input.step, status: input.transaction.status });
        throw ApplicationFailure.create({ type: 'CrmDown', message: 'CRM answered 500', nonRetryable: true });
      },
      async flakyStep(input: StepInput) {
        flaky++;
        if (flaky < 3) throw new Error(`transient ${flaky}`);
        seen.push({ step: input.step, status: input.transaction.status });
        return { attempts: flaky };
      },
    },
  };
}

async function run(input: TransactionInput, status: 'signed' | 'rejected') {
  const user = userActivities();
  const taskQueue = uniqueId('q');
  const result = await withTestWorker(
    env,
    testConfig({}, taskQueue),
    { providers: {}, activities: user.activities },
    async () => {
      const handle = await env.client.workflow.start(signingWorkflow, {
        workflowId: `signing:evrotrust:${input.externalId}`,
        taskQueue,
        args: [input],
      });
      await handle.signal(eventSignals[status], {
        key: `status:${status}`,
        type: status,
        source: 'callback',
        receivedAt: new Date().toISOString(),
        status,
        providerStatus: status === 'signed' ? '2' : '3',
      });
      return handle.result();
    },
  );
  return { result, seen: user.seen };
}

const base = (externalId: string): TransactionInput => ({
  provider: 'evrotrust',
  kind: 'signing',
  externalId,
  registered: true,
  options: { lingerAfterFinal: '1 minute' },
});

it('runs the registration’s onSigned steps in order, records results and failures, and goes on after a failure', async () => {
  const id = uniqueId();
  const { result, seen } = await run(
    {
      ...base(id),
      registration: {
        steps: {
          onSigned: ['notifyCrm', { name: 'flakyStep', maximumAttempts: 5 }, 'archiveDocument'],
          onRejected: ['archiveDocument'],
        },
      },
    },
    'signed',
  );
  expect(seen).toEqual([
    { step: 'notifyCrm', status: 'signed' },
    { step: 'flakyStep', status: 'signed' },
    { step: 'archiveDocument', status: 'signed' },
  ]);
  expect(result.steps).toEqual([
    expect.objectContaining({ name: 'notifyCrm', status: 'failed', error: 'CrmDown: CRM answered 500' }),
    expect.objectContaining({ name: 'flakyStep', status: 'completed', result: { attempts: 3 } }),
    expect.objectContaining({ name: 'archiveDocument', status: 'completed', result: { archivedAs: `${id}.pdf` } }),
  ]);
});

it('falls back to the provider default, then the engine default, and runs the plan for the ending reached', async () => {
  const id = uniqueId();
  const { result, seen } = await run(
    {
      ...base(id),
      options: {
        lingerAfterFinal: '1 minute',
        defaultSteps: { evrotrust: { onRejected: ['archiveDocument'] }, default: { onRejected: ['notifyCrm'] } },
      },
    },
    'rejected',
  );
  expect(seen).toEqual([{ step: 'archiveDocument', status: 'rejected' }]);
  expect(result.steps).toEqual([expect.objectContaining({ name: 'archiveDocument', status: 'completed' })]);
});

it('a step that exhausts its own retry policy is recorded as failed', async () => {
  const id = uniqueId();
  const { result } = await run(
    { ...base(id), registration: { steps: { onSigned: [{ name: 'flakyStep', maximumAttempts: 2 }] } } },
    'signed',
  );
  expect(result.steps).toEqual([
    expect.objectContaining({ name: 'flakyStep', status: 'failed', error: 'Error: transient 2' }),
  ]);
});
