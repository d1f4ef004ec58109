// The workflow's own clock: deadlines, follow-ups after silence, unregistered transactions.
// Time-skipping server, so days pass in seconds.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { activityInfo } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { createActivities } from '../../src/activities';
import type { Provider } from '../../src/providers/provider';
import { eventSignals, registerUpdate, stateQuery } from '../../src/shared/messages';
import type { FollowUpRequest, ProviderEvent, TransactionInput, TransactionState } from '../../src/shared/types';
import { signingWorkflow } from '../../src/workflows';
import { startTimeSkippingEnv, uniqueId, workflowBundle } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkippingEnv();
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

const HOUR = 3_600_000;

/** A provider whose status API answers from a script, and remembers when it was asked. */
function scriptedProvider(answers: Array<ProviderEvent[]>) {
  const calls: Array<{ at: number; req: FollowUpRequest }> = [];
  const provider: Pick<Provider, 'followUp'> = {
    async followUp(req) {
      // The server's (skipped) clock, not the wall clock.
      calls.push({ at: activityInfo().currentAttemptScheduledTimestampMs, req });
      const events = answers.shift() ?? [];
      return { events, outcome: events.length ? `polled: ${events.map((e) => e.providerStatus).join(',')}` : 'polled: no change' };
    },
  };
  return { provider: provider as Provider, calls };
}

async function worker(provider?: Provider) {
  const taskQueue = uniqueId('q');
  const w = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities({ providers: provider ? { evrotrust: provider } : {} }),
  });
  return { w, taskQueue };
}

const input = (externalId: string, extra: Partial<TransactionInput> = {}): TransactionInput => ({
  provider: 'evrotrust',
  kind: 'signing',
  externalId,
  registered: true,
  ...extra,
});

const polled = (code: number, status: ProviderEvent['status'], type: ProviderEvent['type']): ProviderEvent => ({
  key: `status:${code}`,
  type,
  source: 'poll',
  receivedAt: new Date().toISOString(),
  status,
  providerStatus: String(code),
});

it('expires at the deadline with the reason in its state', async () => {
  const { w, taskQueue } = await worker();
  const id = uniqueId();
  const start = await env.currentTimeMs();
  const deadline = new Date(start + 48 * HOUR).toISOString();
  const result = await w.runUntil(
    env.client.workflow.execute(signingWorkflow, {
      workflowId: `signing:evrotrust:${id}`,
      taskQueue,
      args: [input(id, { registration: { deadline }, options: { lingerAfterFinal: '1 minute', followUp: { firstAfter: '100 days' } } })],
    }),
  );
  expect(result.status).toBe('expired');
  expect(result.outcomeReason).toMatch(/deadline .* passed with no final status/);
  expect(result.events.at(-1)).toMatchObject({ type: 'expired', source: 'application', key: 'engine:deadline' });
});

it('asks the provider after silence, backs off, and applies what the poll learned', async () => {
  const { provider, calls } = scriptedProvider([[], [], [polled(2, 'signed', 'signed')]]);
  const { w, taskQueue } = await worker(provider);
  const id = uniqueId();
  const start = await env.currentTimeMs();
  const result: TransactionState = await w.runUntil(
    env.client.workflow.execute(signingWorkflow, {
      workflowId: `signing:evrotrust:${id}`,
      taskQueue,
      args: [input(id, { options: { lingerAfterFinal: '1 minute', followUp: { firstAfter: '1 hour', backoff: 2, maxInterval: '1 day' } } })],
    }),
  );
  expect(result.status).toBe('signed');
  expect(result.events).toEqual([expect.objectContaining({ key: 'status:2', source: 'poll' })]);
  expect(calls.map((c) => c.req.attempt)).toEqual([1, 2, 3]);
  // Silence 1 h → poll; no news → wait 2 h → poll; no news → wait 4 h → poll.
  const offsets = calls.map((c) => Math.round((c.at - start) / HOUR));
  expect(offsets).toEqual([1, 3, 7]);
});

it('keeps callbacks that come before registration, then merges them', async () => {
  const { w, taskQueue } = await worker();
  const id = uniqueId();
  const workflowId = `signing:evrotrust:${id}`;
  await w.runUntil(async () => {
    const handle = await env.client.workflow.start(signingWorkflow, {
      workflowId,
      taskQueue,
      args: [input(id, { registered: false, options: { lingerAfterFinal: '1 minute' } })],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    await handle.signal(eventSignals.signed, polled(2, 'signed', 'signed'));
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'unregistered', registered: false });
    expect(await handle.executeUpdate(registerUpdate, { args: [{ reference: 'r-9' }] })).toEqual({ newlyRegistered: true });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'signed', reference: 'r-9', registered: true });
  });
});

it('closes an unregistered transaction the application never claims', async () => {
  const { w, taskQueue } = await worker();
  const id = uniqueId();
  const result = await w.runUntil(
    env.client.workflow.execute(signingWorkflow, {
      workflowId: `signing:evrotrust:${id}`,
      taskQueue,
      args: [input(id, { registered: false, options: { unregisteredTtl: '3 days', lingerAfterFinal: '1 minute' } })],
    }),
  );
  expect(result.status).toBe('unregistered');
});
