// The workflow's own clock: deadlines, follow-ups after silence, unregistered transactions.
// Time-skipping server, so days pass in seconds.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { activityInfo } from '@temporalio/activity';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Provider } from '../../src/providers/provider';
import { eventSignals, registerUpdate, stateQuery } from '../../src/common/messages';
import type { FollowUpRequest, ProviderEvent, TransactionInput, TransactionState } from '../../src/common/types';
import { signingWorkflow } from '../../src/workflows';
import { deliverEvents, registerTransaction } from '../../src/temporal/transactions';
import { allRuns } from '../helpers/runs';
import { testConfig } from '../helpers/config';
import { startTimeSkippingEnv, uniqueId } from '../helpers/temporal';
import { runUntil, startTestWorker } from '../helpers/worker';

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
      return {
        events,
        outcome: events.length ? `polled: ${events.map((e) => e.providerStatus).join(',')}` : 'polled: no change',
      };
    },
  };
  return { provider: provider as Provider, calls };
}

async function worker(provider?: Provider) {
  const taskQueue = uniqueId('q');
  const w = await startTestWorker(env, testConfig({}, taskQueue), {
    providers: provider ? { evrotrust: provider } : {},
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
  const result = await runUntil(
    w,
    env.client.workflow.execute(signingWorkflow, {
      workflowId: `signing:evrotrust:${id}`,
      taskQueue,
      args: [
        input(id, {
          registration: { deadline },
          options: { lingerAfterFinal: '1 minute', followUp: { firstAfter: '100 days' } },
        }),
      ],
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
  const result: TransactionState = await runUntil(
    w,
    env.client.workflow.execute(signingWorkflow, {
      workflowId: `signing:evrotrust:${id}`,
      taskQueue,
      args: [
        input(id, {
          options: {
            lingerAfterFinal: '1 minute',
            followUp: { firstAfter: '1 hour', backoff: 2, maxInterval: '1 day' },
          },
        }),
      ],
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
  await runUntil(w, async () => {
    const handle = await env.client.workflow.start(signingWorkflow, {
      workflowId,
      taskQueue,
      args: [input(id, { registered: false, options: { lingerAfterFinal: '1 minute' } })],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    await handle.signal(eventSignals.signed, polled(2, 'signed', 'signed'));
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'unregistered', registered: false });
    expect(await handle.executeUpdate(registerUpdate, { args: [{ reference: 'r-9' }] })).toEqual({
      newlyRegistered: true,
    });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'signed', reference: 'r-9', registered: true });
  });
});

it('closes an unregistered transaction the application never claims', async () => {
  const { w, taskQueue } = await worker();
  const id = uniqueId();
  const result = await runUntil(
    w,
    env.client.workflow.execute(signingWorkflow, {
      workflowId: `signing:evrotrust:${id}`,
      taskQueue,
      args: [input(id, { registered: false, options: { unregisteredTtl: '3 days', lingerAfterFinal: '1 minute' } })],
    }),
  );
  expect(result.status).toBe('unregistered');
});

describe('bounded runs', () => {
  const signicatInput = (externalId: string, extra: Partial<TransactionInput> = {}): TransactionInput => ({
    provider: 'signicat',
    kind: 'signing',
    externalId,
    registered: true,
    registration: { dossierId: 'dossier-1' },
    ...extra,
  });

  async function signicatWorker(provider: Provider) {
    const taskQueue = uniqueId('q');
    const w = await startTestWorker(env, testConfig({}, taskQueue), { providers: { signicat: provider } });
    return { w, taskQueue };
  }

  it('a Signicat transaction silent for its whole 90-day deadline at default follow-ups: no run over 2 000 events', async () => {
    const calls: FollowUpRequest[] = [];
    const provider: Pick<Provider, 'followUp'> = {
      async followUp(req) {
        calls.push(req);
        return { events: [], outcome: 'notify requested' };
      },
    };
    const { w, taskQueue } = await signicatWorker(provider as Provider);
    const id = uniqueId();
    const workflowId = `signing:signicat:${id}`;
    const result = await runUntil(
      w,
      env.client.workflow.execute(signingWorkflow, {
        workflowId,
        taskQueue,
        args: [signicatInput(id, { options: { lingerAfterFinal: '1 minute' } })],
      }),
    );
    expect(result.status).toBe('expired');
    // 6 h, then doubling up to a day: about 90 follow-ups in 90 days.
    expect(calls.length).toBeGreaterThan(80);
    const runs = await allRuns(env.client, workflowId);
    for (const run of runs) expect(run.events.length).toBeLessThan(2_000);
  }, 300_000);

  it('carries the loop across continue-as-new: attempts, the last outcome and the backoff go on where they stood', async () => {
    const calls: Array<{ at: number; req: FollowUpRequest }> = [];
    const provider: Pick<Provider, 'followUp'> = {
      async followUp(req) {
        calls.push({ at: activityInfo().currentAttemptScheduledTimestampMs, req });
        return { events: [], outcome: `asked ${req.attempt}` };
      },
    };
    const { w, taskQueue } = await signicatWorker(provider as Provider);
    const id = uniqueId();
    const workflowId = `signing:signicat:${id}`;
    const start = await env.currentTimeMs();
    const deadline = new Date(start + 40 * HOUR).toISOString();
    const result = await runUntil(
      w,
      env.client.workflow.execute(signingWorkflow, {
        workflowId,
        taskQueue,
        args: [
          signicatInput(id, {
            registration: { dossierId: 'd-1', deadline },
            options: {
              lingerAfterFinal: '1 minute',
              followUp: { firstAfter: '1 hour', backoff: 2, maxInterval: '1 day' },
              continueAsNew: { maxHistoryEvents: 24 },
            },
          }),
        ],
      }),
    );
    expect(result.status).toBe('expired');
    expect((await allRuns(env.client, workflowId)).length).toBeGreaterThan(2);
    expect(calls.map((c) => c.req.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(calls.map((c) => c.req.previousOutcome)).toEqual([
      undefined,
      'asked 1',
      'asked 2',
      'asked 3',
      'asked 4',
      'asked 5',
    ]);
    // 1 h, then 2, 4, 8, 16 h of silence, and one last question at the deadline (40 h).
    expect(calls.map((c) => Math.round((c.at - start) / HOUR))).toEqual([1, 3, 7, 15, 31, 40]);
  }, 300_000);

  it('a registration that moves the deadline wakes the loop', async () => {
    const { w, taskQueue } = await worker();
    const id = uniqueId();
    const start = await env.currentTimeMs();
    const result = await runUntil(w, async () => {
      const handle = await env.client.workflow.start(signingWorkflow, {
        workflowId: `signing:evrotrust:${id}`,
        taskQueue,
        args: [input(id, { options: { lingerAfterFinal: '1 minute', followUp: { firstAfter: '100 days' } } })],
      });
      await handle.executeUpdate(registerUpdate, { args: [{ deadline: new Date(start + 5 * HOUR).toISOString() }] });
      return handle.result();
    });
    expect(result.status).toBe('expired');
    const expiredAt = Date.parse(result.events.at(-1)!.receivedAt);
    expect(Math.round((expiredAt - start) / HOUR)).toBe(5);
  });

  it('a registration after an unregistered run closed on its TTL starts a fresh run with that run’s events', async () => {
    const { w, taskQueue } = await worker();
    const id = uniqueId();
    const workflowId = `signing:evrotrust:${id}`;
    const ctx = { client: env.client, taskQueue, engine: { unregisteredTtl: '1 hour', lingerAfterFinal: '1 minute' } };
    await runUntil(w, async () => {
      await deliverEvents(
        ctx,
        { provider: 'evrotrust', kind: 'signing', externalId: id },
        [polled(2, 'signed', 'signed')],
        { mayCreate: true },
      );
      expect(await env.client.workflow.getHandle(workflowId).result()).toMatchObject({ status: 'unregistered' });
      expect(
        await registerTransaction(
          ctx,
          { provider: 'evrotrust', kind: 'signing', externalId: id },
          { reference: 'late-app' },
        ),
      ).toEqual({
        workflowId,
        created: true,
      });
      const state = await env.client.workflow.getHandle<typeof signingWorkflow>(workflowId).result();
      expect(state).toMatchObject({ status: 'signed', reference: 'late-app', registered: true });
      expect(state.events.map((e) => e.key)).toContain('status:2');
    });
  });
});
