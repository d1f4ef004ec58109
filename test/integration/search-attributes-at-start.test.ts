// Starters set the search attributes at start, so the workflow no longer upserts the same
// values on its first task (the bench showed that redundant upsert costing a third of the
// callback throughput on SQLite). Runs started without the flag still upsert, and both kinds
// of history replay.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { startSigningTransaction } from '../../src/client';
import { eventSignals } from '../../src/common/messages';
import { SigningExternalId, SigningProvider, SigningStatus } from '../../src/common/search-attributes';
import type { TransactionInput } from '../../src/common/types';
import type { RunningCountersignWorker } from '../../src/worker';
import { testConfig } from '../helpers/config';
import { startDevServerEnv, uniqueId, workflowBundle } from '../helpers/temporal';
import { startTestWorker } from '../helpers/worker';

let env: TestWorkflowEnvironment;
let worker: RunningCountersignWorker;
const config = testConfig();
const taskQueue = config.temporal.taskQueue;

beforeAll(async () => {
  env = await startDevServerEnv();
  worker = await startTestWorker(env, config);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await worker?.done;
  await env?.teardown();
});

type EventName = string | undefined;
async function historyOf(workflowId: string) {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  // The SDK records each patch a run uses in TemporalChangeVersion itself, once per run; only
  // our own attributes count here.
  const sdkOnly = (e: (typeof history.events & object)[number]) => {
    const fields = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
    return fields.length > 0 && fields.every((f) => f === 'TemporalChangeVersion');
  };
  const names: EventName[] = history
    .events!.filter((e) => !sdkOnly(e))
    .map((e) =>
      Object.keys(e)
        .find((k) => k.endsWith('EventAttributes'))
        ?.replace('EventAttributes', ''),
    );
  return { history, names };
}

/** Waits until the workflow's first task has run (its state query answers). */
async function firstTaskDone(workflowId: string) {
  await env.client.workflow.getHandle(workflowId).query('state');
}

async function searchAttributes(workflowId: string) {
  const desc = await env.client.workflow.getHandle(workflowId).describe();
  return [SigningProvider, SigningExternalId, SigningStatus].map((k) => desc.typedSearchAttributes.get(k));
}

it('a registered transaction carries its search attributes from the start, with no upsert', async () => {
  const externalId = uniqueId();
  const { workflowId } = await startSigningTransaction(env.client, { provider: 'evrotrust', externalId, taskQueue });
  await firstTaskDone(workflowId);
  const { names } = await historyOf(workflowId);
  expect(names).toContain('workflowTaskCompleted');
  expect(names).not.toContain('upsertWorkflowSearchAttributes');
  expect(await searchAttributes(workflowId)).toEqual(['evrotrust', externalId, 'pending']);
});

it('still upserts when the status changes', async () => {
  const externalId = uniqueId();
  const { workflowId } = await startSigningTransaction(env.client, { provider: 'evrotrust', externalId, taskQueue });
  await env.client.workflow.getHandle(workflowId).signal(eventSignals.signed, {
    key: 'status:2',
    type: 'signed',
    source: 'callback',
    receivedAt: new Date().toISOString(),
    status: 'signed',
    providerStatus: '2',
  });
  await firstTaskDone(workflowId);
  const { names } = await historyOf(workflowId);
  expect(names.filter((n) => n === 'upsertWorkflowSearchAttributes')).toHaveLength(1);
  expect((await searchAttributes(workflowId))[2]).toBe('signed');
});

it('a run started without the flag (an older starter) upserts them itself, and both histories replay', async () => {
  const externalId = uniqueId();
  const workflowId = `signing:evrotrust:${externalId}`;
  const input: TransactionInput = { provider: 'evrotrust', kind: 'signing', externalId, registered: true };
  await env.client.workflow.start('signingWorkflow', { workflowId, taskQueue, args: [input] });
  await firstTaskDone(workflowId);
  const old = await historyOf(workflowId);
  expect(old.names).toContain('upsertWorkflowSearchAttributes');
  expect(await searchAttributes(workflowId)).toEqual(['evrotrust', externalId, 'pending']);

  const { workflowId: newId } = await startSigningTransaction(env.client, {
    provider: 'evrotrust',
    externalId: uniqueId(),
    taskQueue,
  });
  await firstTaskDone(newId);
  const current = await historyOf(newId);
  const bundle = await workflowBundle();
  await Worker.runReplayHistory({ workflowBundle: bundle }, old.history, workflowId);
  await Worker.runReplayHistory({ workflowBundle: bundle }, current.history, newId);
});
