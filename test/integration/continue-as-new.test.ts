// Continue-as-new in every phase, forced by lowered thresholds (an engine option): while
// waiting, during a post-signing step and while lingering. Each new run carries the state
// and where the loop stood; nothing applied is lost and the step runs to completion.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { signhostChecksum } from '../../src/providers/signhost';
import type { TransactionState } from '../../src/common/types';
import { postJson } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { startRecordingServer, type RecordingServer } from '../helpers/http-server';
import { allRuns } from '../helpers/runs';
import { startStack, type Stack } from '../helpers/stack';
import { startDevServerEnv, uniqueId } from '../helpers/temporal';

const SECRET = 'can-test-secret';
let env: TestWorkflowEnvironment;
let stack: Stack;
let application: RecordingServer;
/** Notifications are answered only once the test lets them through. */
let release: () => void = () => {};

beforeAll(async () => {
  env = await startDevServerEnv();
  application = await startRecordingServer();
  const config = testConfig({
    SIGNHOST_SHARED_SECRET: SECRET,
    LINGER_AFTER_FINAL: '4 seconds',
    COUNTERSIGN_NOTIFY_URL: `${application.url}/hooks`,
    COUNTERSIGN_NOTIFY_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    CONTINUE_AS_NEW_MAX_SIGNALS: '3',
  });
  stack = await startStack(env, config);
}, 120_000);

afterAll(async () => {
  release();
  await stack?.stop();
  await application?.close();
  await env?.teardown();
});

const postback = (id: string, status: number, activityIds: string[]) =>
  postJson(`${stack.app.url}/callbacks/signhost`, {
    Id: id,
    Status: status,
    Signers: [{ Id: 'signer-1', Activities: activityIds.map((a) => ({ Id: a, Code: 103, Activity: 'Opened' })) }],
    Checksum: signhostChecksum(id, status, SECRET),
  });

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('hands over while waiting, during a step and while lingering, and finishes with everything applied', async () => {
  const id = uniqueId('can');
  const startedAt = new Date().toISOString();
  const res = await postJson(`${stack.app.url}/transactions`, {
    provider: 'signhost',
    externalId: id,
    steps: { onSigned: ['notifyApplication'] },
  });
  expect(res.status).toBe(201);
  const workflowId = (res.json as { workflowId: string }).workflowId;

  // Waiting: 6 signals, so at least one hand-over before the final status.
  for (let i = 0; i < 6; i++) expect((await postback(id, 20, [`early-${i}`])).status).toBe(200);
  const waitingRuns = await until(
    () => allRuns(env.client, workflowId),
    (runs) => runs.length >= 2,
  );
  expect(waitingRuns.length).toBeGreaterThanOrEqual(2);

  // The notification hangs until released: the step is running when more callbacks arrive.
  let held = 0;
  application.handle((_req, res) => {
    held++;
    if (held === 1)
      release = () => {
        release = () => {};
        res.writeHead(204).end();
      };
    else res.writeHead(204).end();
  });
  expect((await postback(id, 30, [])).status).toBe(200);
  await until(
    async () => application.requests.length,
    (n) => n >= 1,
  );
  const runsBeforeStep = (await allRuns(env.client, workflowId)).length;
  for (let i = 0; i < 4; i++) expect((await postback(id, 30, [`during-step-${i}`])).status).toBe(200);
  // The interrupted step runs again in the new run, and that attempt is answered.
  const notified = await until(
    async () => application.requests.length,
    (n) => n >= 2,
  );
  expect(notified).toBeGreaterThanOrEqual(2);
  const ids = new Set(application.requests.map((r) => r.headers['webhook-id']));
  expect(ids.size).toBe(1);

  // Lingering: more trailing activities, another hand-over, then the workflow closes.
  await until(
    () => env.client.workflow.getHandle(workflowId).query<TransactionState>('state'),
    (s) => s.steps?.[0]?.status === 'completed',
  );
  for (let i = 0; i < 4; i++) expect((await postback(id, 30, [`lingering-${i}`])).status).toBe(200);
  const state = (await env.client.workflow.getHandle(workflowId).result()) as TransactionState;
  release();

  expect(state.status).toBe('signed');
  expect(state.steps).toEqual([expect.objectContaining({ name: 'notifyApplication', status: 'completed' })]);
  // 6 early activities, status 20, status 30, 4 during the step, 4 while lingering.
  expect(state.eventCounts?.recorded).toBe(6 + 1 + 1 + 4 + 4);
  const runs = await allRuns(env.client, workflowId);
  expect(runs.length).toBeGreaterThan(runsBeforeStep);
  // Every run but the last ended by continuing as new.
  for (const run of runs.slice(1))
    expect(run.events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();

  // Operators see one transaction, by its last run, however many runs it took.
  const listed = await until(
    async () => {
      const res = await fetch(`${stack.app.url}/transactions?provider=signhost&since=${startedAt}&limit=100`);
      const page = (await res.json()) as { transactions: Array<{ workflowId: string; run: string }> };
      return page.transactions.filter((t) => t.workflowId === workflowId);
    },
    (mine) => mine.some((t) => t.run === 'completed'),
  );
  expect(listed).toEqual([expect.objectContaining({ workflowId, run: 'completed', status: 'signed' })]);
}, 180_000);
