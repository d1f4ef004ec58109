// The user's own activities as post-signing steps, through the real worker
// (startCountersignWorker) on the time-skipping server: from COUNTERSIGN_ACTIVITIES_MODULE, from
// code, and the example in examples/update-crm.ts against a CRM on loopback.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startSigningTransaction } from '../../src/client';
import { eventSignals } from '../../src/common/messages';
import type { StepInput, TransactionState } from '../../src/common/types';
import { startCountersignWorker, type CountersignWorkerOptions } from '../../src/worker';
import { testConfig } from '../helpers/config';
import { startRecordingServer, type RecordingServer } from '../helpers/http-server';
import { startTimeSkippingEnv, uniqueId, workflowBundle } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let crm: RecordingServer;
beforeAll(async () => {
  env = await startTimeSkippingEnv();
  crm = await startRecordingServer();
}, 120_000);
afterAll(async () => {
  await crm?.close();
  await env?.teardown();
});

/** Registers a transaction naming `steps`, reports it ended as `status`, and waits for the workflow. */
async function endWith(
  options: Omit<CountersignWorkerOptions, 'connection' | 'workflowBundle' | 'config'>,
  env_: Record<string, string>,
  steps: string[],
  status: 'signed' | 'rejected' = 'signed',
): Promise<{ state: TransactionState; userActivities: string[] }> {
  const config = testConfig(env_);
  const running = await startCountersignWorker({
    ...options,
    config,
    connection: env.nativeConnection,
    workflowBundle: await workflowBundle(),
  });
  try {
    const externalId = uniqueId();
    const { workflowId } = await startSigningTransaction(env.client, {
      provider: 'evrotrust',
      externalId,
      reference: 'deal-9001',
      // The time-skipping server's clock runs far ahead of this process's once a test has
      // awaited a result; a deadline from the server's clock keeps the transaction open.
      deadline: new Date((await env.currentTimeMs()) + 30 * 86_400_000).toISOString(),
      taskQueue: config.temporal.taskQueue,
      steps: status === 'signed' ? { onSigned: steps } : { onRejected: steps },
    });
    const handle = env.client.workflow.getHandle(workflowId);
    await handle.signal(eventSignals[status], {
      key: `status:${status}`,
      type: status,
      source: 'callback',
      receivedAt: new Date().toISOString(),
      status,
      providerStatus: status === 'signed' ? '2' : '3',
    });
    return { state: (await handle.result()) as TransactionState, userActivities: running.userActivities };
  } finally {
    await running.stop();
  }
}

it('runs an activity of COUNTERSIGN_ACTIVITIES_MODULE and one given in code as steps, in order, with their results in the state', async () => {
  const seen: string[] = [];
  const { state, userActivities } = await endWith(
    {
      activities: {
        async inlineStep(input: StepInput) {
          seen.push(`${input.step}:${input.transaction.status}`);
          return { ok: true };
        },
      },
    },
    { COUNTERSIGN_ACTIVITIES_MODULE: 'test/fixtures/user-activities/factory.ts' },
    ['recordOutcome', 'inlineStep'],
  );
  expect(userActivities.sort()).toEqual(['inlineStep', 'recordOutcome']);
  expect(seen).toEqual(['inlineStep:signed']);
  expect(state.steps).toEqual([
    expect.objectContaining({
      name: 'recordOutcome',
      status: 'completed',
      result: { step: 'recordOutcome', status: 'signed', reference: 'deal-9001', taskQueue: expect.any(String) },
    }),
    expect.objectContaining({ name: 'inlineStep', status: 'completed', result: { ok: true } }),
  ]);
});

it('refuses, before the worker starts, a user activity that takes a built-in name', async () => {
  await expect(
    startCountersignWorker({
      config: testConfig(),
      connection: env.nativeConnection,
      activities: { notifyApplication: async () => undefined },
    }),
  ).rejects.toMatchObject({ name: 'UserActivitiesError' });
  await expect(
    startCountersignWorker({
      config: testConfig({ COUNTERSIGN_ACTIVITIES_MODULE: 'test/fixtures/user-activities/named.ts' }),
      connection: env.nativeConnection,
      activities: { stampContract: async () => undefined },
    }),
  ).rejects.toThrow(/given twice: stampContract/);
});

describe('examples/update-crm.ts', () => {
  const saved = { url: process.env.CRM_URL, token: process.env.CRM_TOKEN };
  beforeAll(() => {
    process.env.CRM_URL = `${crm.url}/api`;
    process.env.CRM_TOKEN = 'crm-token';
  });
  afterAll(() => {
    for (const [k, v] of [
      ['CRM_URL', saved.url],
      ['CRM_TOKEN', saved.token],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  beforeEach(() => {
    crm.requests.length = 0;
  });

  it('updates the deal when the contract is signed, through the worker, loaded by COUNTERSIGN_ACTIVITIES_MODULE', async () => {
    crm.handle((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    const { state } = await endWith({}, { COUNTERSIGN_ACTIVITIES_MODULE: 'examples/update-crm.ts' }, ['updateCrm']);

    expect(crm.requests).toHaveLength(1);
    const req = crm.requests[0];
    expect(req).toMatchObject({ method: 'PATCH', url: '/api/deals/deal-9001' });
    expect(req.headers.authorization).toBe('Bearer crm-token');
    expect(req.headers['idempotency-key']).toBe(`${state.workflowId}:signed`);
    expect(JSON.parse(req.body)).toEqual({
      signatureStatus: 'signed',
      signatureProvider: 'evrotrust',
      signatureUpdatedAt: state.updatedAt,
      countersignWorkflowId: state.workflowId,
    });
    expect(state.steps).toEqual([
      expect.objectContaining({ name: 'updateCrm', status: 'completed', result: { deal: 'deal-9001', status: 200 } }),
    ]);
  });

  it('retries a CRM that fails, and records an unknown deal as a failed step without retrying', async () => {
    let calls = 0;
    crm.handle((_req, res) => res.writeHead(++calls < 3 ? 503 : 200).end());
    const retried = await endWith(
      {},
      { COUNTERSIGN_ACTIVITIES_MODULE: 'examples/update-crm.ts' },
      ['updateCrm'],
      'rejected',
    );
    expect(crm.requests).toHaveLength(3);
    expect(retried.state.steps).toEqual([expect.objectContaining({ name: 'updateCrm', status: 'completed' })]);

    crm.requests.length = 0;
    crm.handle((_req, res) => res.writeHead(404).end());
    const missing = await endWith({}, { COUNTERSIGN_ACTIVITIES_MODULE: 'examples/update-crm.ts' }, ['updateCrm']);
    expect(crm.requests).toHaveLength(1);
    expect(missing.state.steps).toEqual([
      expect.objectContaining({
        name: 'updateCrm',
        status: 'failed',
        error: 'DealNotFound: the CRM has no deal deal-9001',
      }),
    ]);
  });
});
